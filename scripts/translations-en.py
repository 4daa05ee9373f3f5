#!/usr/bin/env python3
"""Completes translations/paydesk_en.ts from the English source texts.

The console is written in English, so the English "translation" is the source text, except for
plural forms: a source like "%n order(s) found" becomes "%n order found" / "%n orders found".
Run after `cmake --build <dir> --target update_translations` (which adds new source texts).
"""
import re
import sys
import xml.etree.ElementTree as ET

PATH = sys.argv[1] if len(sys.argv) > 1 else "translations/paydesk_en.ts"
PLURAL = re.compile(r"(\w+)\(s\)")
PLURAL_IES = re.compile(r"(\w+)y\(ies\)")

tree = ET.parse(PATH)
for message in tree.getroot().iter("message"):
    source = message.findtext("source") or ""
    translation = message.find("translation")
    if translation is None:
        translation = ET.SubElement(message, "translation")
    translation.attrib.pop("type", None)
    if message.get("numerus") == "yes":
        for child in list(translation):
            translation.remove(child)
        translation.text = None
        singular = PLURAL_IES.sub(r"\1y", PLURAL.sub(r"\1", source))
        plural = PLURAL_IES.sub(r"\1ies", PLURAL.sub(r"\1s", source))
        for form in (singular, plural):
            ET.SubElement(translation, "numerusform").text = form
    else:
        translation.text = source

with open(PATH, "wb") as out:
    out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
    tree.write(out, encoding="utf-8", xml_declaration=False)
    out.write(b"\n")
