"""Registry list pages and exports run a fixed number of queries whatever the page size."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import InstructorFactory, OrganizationFactory, PartyOrganizationFactory, PartyWorkerFactory

LISTS = ["organization", "party-organization", "instructor", "party-worker"]


@pytest.fixture
def crowded(world):
    township = world.township_a
    for n in range(30):
        unit = OrganizationFactory(township=township)
        party_org = PartyOrganizationFactory(area=township, covered_organizations=[unit])
        InstructorFactory(area=township, organizations=[unit])
        PartyWorkerFactory(area=township, party_organization=party_org)
    return world


@pytest.mark.parametrize("name", LISTS)
def test_list_page_queries_do_not_grow(crowded, name):
    client = crowded.client_for(Role.TOWNSHIP_WORKER)
    url = reverse(f"organizations:{name}-list")
    client.get(url)  # warm up session and caches
    counts = []
    for page in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"page": page}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] and counts[0] <= 12, counts


@pytest.mark.parametrize("name", LISTS)
def test_export_queries_do_not_grow(crowded, name, django_assert_max_num_queries):
    client = crowded.client_for(Role.COUNTY_ADMIN)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(f"organizations:{name}-list"), {"export": "xlsx"}).status_code == 200
