"""Writes conversations.jsonl and canned.jsonl from the hand-written lists (run once; kept for review)."""
import json
from pathlib import Path

from canned import CANNED
from make_en import EN
from make_zh import ZH

REASONS = {
    "orders": ["track-order", "change-or-cancel-order", "missing-or-wrong-item", "order-confirmation-email"],
    "delivery": ["roasting-and-dispatch", "shipping-costs-and-times", "international-shipping",
                 "change-delivery-address", "parcel-not-arrived", "pickup-points"],
    "returns": ["return-policy", "return-label", "refund-timing", "wrong-grind-exchange", "taste-guarantee", "damaged-parcel"],
    "payments": ["payment-methods", "payment-failed", "charged-twice", "invoices-and-vat", "gift-cards", "discount-codes"],
    "account": ["guest-checkout-and-accounts", "reset-password", "update-account-details", "delete-account",
                "email-preferences", "privacy-and-your-data"],
    "subscription": ["subscription-how-it-works", "subscription-pause-skip-cancel", "subscription-change"],
    "coffee": ["grind-options", "storing-coffee", "brewing-guides", "decaf", "sourcing-and-organic", "restock-notifications"],
    "gear": ["hand-grinder-care", "gear-warranty"],
    "wholesale": ["wholesale"],
}
REASON = {slug: reason for reason, slugs in REASONS.items() for slug in slugs}
here = Path(__file__).parent
with open(here / "conversations.jsonl", "w", encoding="utf-8") as out:
    for prefix, locale, rows in (("en", "en", EN), ("zh", "zh-hans", ZH)):
        for i, (intent, name, message, reply) in enumerate(rows, start=1):
            row = {"id": f"{prefix}-{i:03d}", "locale": locale, "half": "tune" if i % 2 else "test",
                   "intent": intent, "reason": REASON[intent], "contact": name, "message": message, "reply": reply}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
with open(here / "canned.jsonl", "w", encoding="utf-8") as out:
    for code, title, text, locale, intent in CANNED:
        out.write(json.dumps({"short_code": code, "title": title, "text": text, "locale": locale, "intent": intent}, ensure_ascii=False) + "\n")
with open(here / "reasons.json", "w", encoding="utf-8") as out:
    json.dump(REASON, out, ensure_ascii=False, indent=0, sort_keys=True)
print(len(EN), len(ZH))
