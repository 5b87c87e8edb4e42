"""A PII corpus: shopper messages carrying personal data in many formats (deterministic).

Each case is (message, personal strings that must not survive, strings that must survive).
"""

from __future__ import annotations

import itertools
import random

EMAILS = [
    "jane.doe@example.com", "JOHN_SMITH+orders@shop.co.uk", "a.b-c@sub.domain.org", "maria92@mail.example.de",
    "li.wei@example.cn", "o'neil@example.ie".replace("'", ""), "user123@example.io", "first.last@my-company.example",
]  # fmt: skip
PHONES = [
    "+1 (415) 555-0134", "415-555-0134", "415.555.0134", "+44 20 7946 0958", "020 7946 0958", "+91 98765 43210",
    "0049 30 1234567", "+33 1 23 45 67 89", "(212) 555 0199", "+61 2 9876 5432",
]  # fmt: skip
CARDS = [
    "4111 1111 1111 1111", "4111111111111111", "5555-5555-5555-4444", "378282246310005", "6011 1111 1111 1117",
    "3530 1113 3330 0000", "4012888888881881", "5105 1051 0510 5100",
]  # fmt: skip
IBANS = [
    "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "DE89 3704 0044 0532 0130 00", "DE89370400440532013000",
    "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00", "ES91 2100 0418 4502 0005 1332",
]  # fmt: skip
ADDRESSES = [
    "221B Baker Street", "10 Downing St", "742 Evergreen Terrace", "1600 Amphitheatre Parkway", "350 Fifth Avenue",
    "12 Rue de Rivoli", "4 Privet Drive", "31 Spooner Street", "1313 Mockingbird Lane", "90 Bedford St, Apt 4B",
]  # fmt: skip
TEMPLATES = {
    "email": ["my email is {}", "send the invoice to {} please", "contact: {}", "{} is my address for the receipt",
              "can you update my e-mail to {}?"],
    "phone": ["call me on {}", "my number is {}", "phone: {} (evenings)", "text {} when it ships",
              "you can reach me at {}"],
    "card": ["my card {} was charged twice", "pay with {} exp 11/27", "card number: {}",
             "refund to the card ending in... actually it's {}"],
    "iban": ["please refund to IBAN {}", "my bank account is {}", "iban: {}", "transfer it to {} thanks"],
    "address": ["ship it to {}, London", "I live at {}", "deliver to {} tomorrow", "address: {}, Springfield",
                "change my delivery address to {}"],
}  # fmt: skip
VALUES = {"email": EMAILS, "phone": PHONES, "card": CARDS, "iban": IBANS, "address": ADDRESSES}
# Found by probing (issue 19): each leaked before the masker knew card networks, "(212)" and postcodes.
PROBED = [
    ("my card #378282246310005 was charged twice", ["378282246310005"]),
    ("track order 4111111111111111", ["4111111111111111"]),
    ("order #5555555555554444 was charged", ["5555555555554444"]),
    ("call me at (212) 555-7890", ["(212)", "555-7890"]),
    ("ship it to 221B Baker Street, London NW1 6XE", ["NW1 6XE"]),
    ("deliver to 45 MG Road, Bangalore 560001 tomorrow", ["560001"]),
    ("send it to 12 Oak Road, Springfield, IL 62704 thanks", ["62704"]),
]
SURVIVORS = [
    ("where is order 1234567890?", "1234567890"),
    ("order #55512345678 hasn't arrived", "55512345678"),
    ("order number 7000123456789 status?", "7000123456789"),
    ("I want 2 pairs in size 42 under 5000", "5000"),
    ("show me shoes between 1000 and 2000", "1000 and 2000"),
    ("my order id: 98765432101 is late", "98765432101"),
]


def corpus(seed: int = 7) -> list[tuple[str, list[str], list[str]]]:
    """Return at least 200 cases: single-kind messages, mixed ones, and messages whose numbers must survive."""
    rng = random.Random(seed)
    cases: list[tuple[str, list[str], list[str]]] = []
    for kind, templates in TEMPLATES.items():
        for template, value in itertools.product(templates, VALUES[kind]):
            cases.append((template.format(value), [value], []))
    for _ in range(40):
        a, b = rng.sample(list(VALUES), 2)
        va, vb = rng.choice(VALUES[a]), rng.choice(VALUES[b])
        cases.append((f"hi, {va} and also {vb}, thanks", [va, vb], []))
    for text, leaks in PROBED:
        cases.append((text, leaks, []))
    for text, keep in SURVIVORS:
        cases.append((text, [], [keep]))
    return cases
