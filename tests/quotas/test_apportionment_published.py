"""Published real-world apportionments, reproduced exactly by the engine.

Each test names its source.  Only figures confirmed in the cited material are used.
"""
from fractions import Fraction

import pytest

from quotas.apportionment import apportion

# ---------------------------------------------------------------------------------------------
# 1790 US census: the 15 states' apportionment populations (free persons plus three fifths of
# "all other persons"), total 3,615,920.  Source: the 1790 census table reproduced in textbook
# apportionment chapters, e.g. COMAP "For All Practical Purposes" (10th ed., ch. 14, Example 6)
# and Tannenbaum "Excursions in Modern Mathematics" (project "The First Apportionment of the
# House of Representatives").
# ---------------------------------------------------------------------------------------------
STATES_1790 = [
    "Connecticut", "Delaware", "Georgia", "Kentucky", "Maryland", "Massachusetts", "New Hampshire",
    "New Jersey", "New York", "North Carolina", "Pennsylvania", "Rhode Island", "South Carolina",
    "Vermont", "Virginia",
]
POPULATION_1790 = [
    236_841, 55_540, 70_835, 68_705, 278_514, 475_327, 141_822,
    179_570, 331_589, 353_523, 432_879, 68_446, 206_236,
    85_533, 630_560,
]


def test_1790_census_total():
    assert sum(POPULATION_1790) == 3_615_920


def test_1792_jefferson_105_seats():
    """Apportionment Act of 1792: Jefferson's method, 105 seats, divisor 33,000.

    Source: MAA Convergence, "Apportioning Representatives in the United States Congress -
    Jefferson's Method of Apportionment" ("a divisor of 33,000 was sufficient to produce the
    apportionment" of 105 seats); seats per state as enacted in the Apportionment Act of 1792.
    """
    result = apportion(POPULATION_1790, 105, "jefferson")
    assert dict(zip(STATES_1790, result.seats.tolist())) == {
        "Connecticut": 7, "Delaware": 1, "Georgia": 2, "Kentucky": 2, "Maryland": 8, "Massachusetts": 14,
        "New Hampshire": 4, "New Jersey": 5, "New York": 10, "North Carolina": 10, "Pennsylvania": 13,
        "Rhode Island": 2, "South Carolina": 6, "Vermont": 2, "Virginia": 19,
    }
    # The historical divisor works, and is the roundest one the engine can report.
    assert result.divisor == 33_000
    low, high = result.divisor_range
    assert low < 33_000 < high


def test_1792_vetoed_hamilton_bill_120_seats():
    """The bill Washington vetoed in 1792: Hamilton's method, 120 seats.

    Source: COMAP, "For All Practical Purposes", 10th ed., ch. 14, Example 6 "The Vetoed
    Apportionment Bill by Hamilton's Method" (Table 14.5): lower quotas add to 111 and the 9
    largest fractional parts (NJ .959, VA .926, CT .860, SC .844, DE .843, VT .839, MA .774,
    NC .732, NH .707) receive the remaining seats.
    """
    result = apportion(POPULATION_1790, 120, "hamilton")
    assert dict(zip(STATES_1790, result.seats.tolist())) == {
        "Connecticut": 8, "Delaware": 2, "Georgia": 2, "Kentucky": 2, "Maryland": 9, "Massachusetts": 16,
        "New Hampshire": 5, "New Jersey": 6, "New York": 11, "North Carolina": 12, "Pennsylvania": 14,
        "Rhode Island": 2, "South Carolina": 7, "Vermont": 3, "Virginia": 21,
    }
    assert int(result.lower_quotas.sum()) == 111
    assert result.standard_divisor == Fraction(3_615_920, 120)
    assert round(float(result.standard_quotas[STATES_1790.index("New Jersey")]), 3) == 5.959
    # The last remainder seat went to New Hampshire (.707); Pennsylvania (.366) was first refused.
    assert [STATES_1790[i] for i in result.last_awarded.units] == ["New Hampshire"]
    assert [STATES_1790[i] for i in result.first_refused.units] == ["Pennsylvania"]


def test_1792_hamilton_at_105_seats_moves_one_seat_from_virginia_to_delaware():
    """Source: MAA Convergence (as above): with Hamilton's method at 105 seats, 13 of the 15
    states get the same as under Jefferson; Delaware would have gained the seat that Virginia
    got under Jefferson."""
    jefferson = dict(zip(STATES_1790, apportion(POPULATION_1790, 105, "jefferson").seats.tolist()))
    hamilton = dict(zip(STATES_1790, apportion(POPULATION_1790, 105, "hamilton").seats.tolist()))
    changed = {s: hamilton[s] - jefferson[s] for s in STATES_1790 if hamilton[s] != jefferson[s]}
    assert changed == {"Delaware": 1, "Virginia": -1}


# ---------------------------------------------------------------------------------------------
# 2020 US census: apportionment population of the 50 states (resident population plus
# overseas federal employees and dependents) and the 435 seats by the method of equal
# proportions (Huntington–Hill).  Source: US Census Bureau, 2020 Census Apportionment Results,
# Table 1 / Table A (apportionment-2020-table01.xlsx, apportionment-2020-tableA.xlsx); total
# apportionment population 331,108,434.
# ---------------------------------------------------------------------------------------------
CENSUS_2020 = {
    # state: (apportionment population, representatives)
    "Alabama": (5_030_053, 7), "Alaska": (736_081, 1), "Arizona": (7_158_923, 9), "Arkansas": (3_013_756, 4),
    "California": (39_576_757, 52), "Colorado": (5_782_171, 8), "Connecticut": (3_608_298, 5),
    "Delaware": (990_837, 1), "Florida": (21_570_527, 28), "Georgia": (10_725_274, 14), "Hawaii": (1_460_137, 2),
    "Idaho": (1_841_377, 2), "Illinois": (12_822_739, 17), "Indiana": (6_790_280, 9), "Iowa": (3_192_406, 4),
    "Kansas": (2_940_865, 4), "Kentucky": (4_509_342, 6), "Louisiana": (4_661_468, 6), "Maine": (1_363_582, 2),
    "Maryland": (6_185_278, 8), "Massachusetts": (7_033_469, 9), "Michigan": (10_084_442, 13),
    "Minnesota": (5_709_752, 8), "Mississippi": (2_963_914, 4), "Missouri": (6_160_281, 8),
    "Montana": (1_085_407, 2), "Nebraska": (1_963_333, 3), "Nevada": (3_108_462, 4),
    "New Hampshire": (1_379_089, 2), "New Jersey": (9_294_493, 12), "New Mexico": (2_120_220, 3),
    "New York": (20_215_751, 26), "North Carolina": (10_453_948, 14), "North Dakota": (779_702, 1),
    "Ohio": (11_808_848, 15), "Oklahoma": (3_963_516, 5), "Oregon": (4_241_500, 6),
    "Pennsylvania": (13_011_844, 17), "Rhode Island": (1_098_163, 2), "South Carolina": (5_124_712, 7),
    "South Dakota": (887_770, 1), "Tennessee": (6_916_897, 9), "Texas": (29_183_290, 38), "Utah": (3_275_252, 4),
    "Vermont": (643_503, 1), "Virginia": (8_654_542, 11), "Washington": (7_715_946, 10),
    "West Virginia": (1_795_045, 2), "Wisconsin": (5_897_473, 8), "Wyoming": (577_719, 1),
}


def test_2020_census_huntington_hill_435_seats():
    states = list(CENSUS_2020)
    population = [CENSUS_2020[s][0] for s in states]
    assert len(states) == 50 and sum(population) == 331_108_434
    result = apportion(population, 435, "huntington-hill")
    assert dict(zip(states, result.seats.tolist())) == {s: CENSUS_2020[s][1] for s in states}
    # Widely reported from the Census Bureau's priority values: seat 435 went to Minnesota (its
    # 8th) and the next one, seat 436, would have been New York's 27th.
    assert [states[i] for i in result.last_awarded.units] == ["Minnesota"]
    assert result.last_awarded.seat_numbers.tolist() == [8]
    assert [states[i] for i in result.first_refused.units] == ["New York"]
    assert result.first_refused.seat_numbers.tolist() == [27]
    assert result.tie is None


# ---------------------------------------------------------------------------------------------
# Sainte-Laguë (Webster) in real elections
# ---------------------------------------------------------------------------------------------

def test_new_zealand_2017_party_seats_sainte_lague():
    """New Zealand general election 2017, 120 seats among the parties that passed the 5 %
    threshold or won an electorate (ACT won Epsom).  Source: Electoral Commission NZ,
    "2017 General Election - Official Result, Summary of Overall Results" (party votes and
    total seats: National 56, Labour 46, NZ First 9, Green 8, ACT 1)."""
    votes = {"National": 1_152_075, "Labour": 956_184, "NZ First": 186_706, "Green": 162_443, "ACT": 13_075}
    result = apportion(list(votes.values()), 120, "sainte-lague")
    assert dict(zip(votes, result.seats.tolist())) == {
        "National": 56, "Labour": 46, "NZ First": 9, "Green": 8, "ACT": 1,
    }


def test_new_zealand_2020_party_seats_sainte_lague():
    """New Zealand general election 2020 (official results of 6 November 2020), 120 seats; the
    Māori Party qualified by winning Waiariki.  Source: Electoral Commission NZ, "2020 General
    Election official results" (seats Labour 65, National 33, Green 10, ACT 10, Māori 2); party
    votes from the official result as tabulated in Wikipedia's "2020 New Zealand general
    election" infobox."""
    votes = {"Labour": 1_443_545, "National": 738_275, "Green": 226_757, "ACT": 219_031, "Māori": 33_630}
    result = apportion(list(votes.values()), 120, "webster")
    assert dict(zip(votes, result.seats.tolist())) == {
        "Labour": 65, "National": 33, "Green": 10, "ACT": 10, "Māori": 2,
    }


def test_bundestag_2009_sainte_lague_schepers_upper_apportionment():
    """German federal election 2009: the 598 regular seats among the parties by
    Sainte-Laguë/Schepers (first use of that method).  Sources: Der Bundeswahlleiter, final
    result of 14 October 2009 (second votes); Deutscher Bundestag, Sitzverteilung des 17.
    Bundestages: SPD 146, FDP 93, Die Linke 76, Grüne 68, and CDU 194 / CSU 45 including 21 / 3
    overhang seats, i.e. 173 / 42 regular seats."""
    votes = {
        "CDU": 11_828_277, "SPD": 9_990_488, "FDP": 6_316_080, "DIE LINKE": 5_155_933, "GRÜNE": 4_643_272,
        "CSU": 2_830_238,
    }
    result = apportion(list(votes.values()), 598, "sainte_lague")
    assert dict(zip(votes, result.seats.tolist())) == {
        "CDU": 173, "SPD": 146, "FDP": 93, "DIE LINKE": 76, "GRÜNE": 68, "CSU": 42,
    }


# ---------------------------------------------------------------------------------------------
# D'Hondt
# ---------------------------------------------------------------------------------------------

def test_dhondt_textbook_example_30_seats():
    """Source: COMAP, "For All Practical Purposes", 10th ed., ch. 14, Example 14 "Using the
    d'Hondt method" (Table 14.14, first 30 seats: Whigs 13, Tories 8, Liberals 9, Centrists 0)."""
    votes = {"Whigs": 5_525_381, "Tories": 3_470_152, "Liberals": 3_864_226, "Centrists": 201_203}
    result = apportion(list(votes.values()), 30, "dhondt")
    assert dict(zip(votes, result.seats.tolist())) == {"Whigs": 13, "Tories": 8, "Liberals": 9, "Centrists": 0}
    # Seat 30 was the Whigs' 13th (priority 5,525,381 / 13 = 425,029); the highest quotient left
    # in the table is the Whigs' 14th (394,670).
    assert result.last_awarded.units.tolist() == [0] and result.last_awarded.exact == Fraction(5_525_381, 13)
    assert result.first_refused.units.tolist() == [0] and result.first_refused.seat_numbers.tolist() == [14]
    assert round(result.first_refused.value) == 394_670


def test_portuguese_parliament_dhondt_example_with_a_tie():
    """Assembleia da República, "D'Hondt's highest-average rule - practical example": 7 seats,
    A 12,000, B 7,500, C 4,500, D 3,000.  The 7th seat is a tie at 3,000 between A's 4th quotient
    and D's 1st; Portuguese law (Law 14/79, art. 16(d)) gives it to the list with fewer votes, so
    the official result is A 3, B 2, C 1, D 1.

    The engine reports the tie and, by its documented rule, gives the seat to the lower input
    index; listing the parties by ascending votes therefore reproduces the Portuguese rule.
    """
    votes = {"A": 12_000, "B": 7_500, "C": 4_500, "D": 3_000}
    result = apportion(list(votes.values()), 7, "jefferson")
    assert result.tie is not None
    assert [list(votes)[i] for i in result.tie.units] == ["A", "D"]
    assert result.tie.seats == 1 and result.tie.exact == 3_000
    assert result.seats.tolist() == [4, 2, 1, 0]  # lower index (A) wins by the engine's rule

    ascending = sorted(votes, key=votes.get)
    official = apportion([votes[p] for p in ascending], 7, "jefferson")
    assert dict(zip(ascending, official.seats.tolist())) == {"A": 3, "B": 2, "C": 1, "D": 1}


@pytest.mark.parametrize("method,expected", [("jefferson", [4, 3, 1, 0]), ("webster", [3, 3, 1, 1])])
def test_standard_highest_averages_example(method, expected):
    """The standard four-party example (100,000 / 80,000 / 30,000 / 20,000 votes, 8 seats) used in
    the D'Hondt and Sainte-Laguë articles of Wikipedia and electoral-system textbooks."""
    assert apportion([100_000, 80_000, 30_000, 20_000], 8, method).seats.tolist() == expected
