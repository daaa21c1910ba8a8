#!/usr/bin/env python3
"""Write a .resx file from a Python dict (key -> text). Used when authoring knowledge-base texts.

    from resx import write_resx
    write_resx("src/Linger/Knowledge/Text/WinSock.resx", {"winsock.10054.title": "..."})
"""
from xml.sax.saxutils import escape

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype">
    <value>text/microsoft-resx</value>
  </resheader>
  <resheader name="version">
    <value>2.0</value>
  </resheader>
  <resheader name="reader">
    <value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>
  </resheader>
  <resheader name="writer">
    <value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>
  </resheader>
"""


def write_resx(path, texts):
    """Write texts (an ordered mapping of key -> string) as a resx file at path."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER)
        for key, value in texts.items():
            f.write(f'  <data name="{escape(key, {chr(34): "&quot;"})}" xml:space="preserve">\n')
            f.write(f"    <value>{escape(value)}</value>\n")
            f.write("  </data>\n")
        f.write("</root>\n")


def read_resx(path):
    """Read a resx file back into a dict (key -> string)."""
    import xml.etree.ElementTree as ET
    root = ET.parse(path).getroot()
    return {d.get("name"): (d.findtext("value") or "") for d in root.findall("data")}
