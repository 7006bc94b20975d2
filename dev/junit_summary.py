"""Counts of one or more JUnit XML reports: ``N passed, N failed, N skipped`` (a missing or unreadable report
counts as one failure). usage: python dev/junit_summary.py REPORT.xml [...]"""
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        failed += 1
        continue
    for suite in [root] if root.tag == "testsuite" else root.findall("testsuite"):
        t, f, e, s = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        passed += t - f - e - s
        failed += f + e
        skipped += s
print(f"{passed} passed, {failed} failed, {skipped} skipped")
