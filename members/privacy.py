"""Who may read a full 身份证号 (ID number).

ID numbers are stored once (``Person.id_number``) and shown masked — first 6 and last
4 characters — everywhere except to the roles whose daily work needs the full number:
the county organization department and the township party workers who register
people.  Lists, exports and API lists never carry it, whoever asks; URLs and logs
never carry it at all (search takes only the last 4 digits).
"""
from accounts.models import Role

ID_NUMBER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP_WORKER})


def may_see_id_number(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_county_admin or user.role in ID_NUMBER_ROLES


def id_number_for(user, person) -> str:
    """The number as ``user`` may read it on a single person's page."""
    return person.id_number if may_see_id_number(user) else person.masked_id_number
