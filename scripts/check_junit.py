"""Fail CI when a test run executed no test, or skipped any: in CI every test must run."""

import sys
import xml.etree.ElementTree as ET


def main(paths: list[str]) -> int:
    status = 0
    for path in paths:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        tests = sum(int(s.get("tests", 0)) for s in suites)
        skipped = sum(int(s.get("skipped", 0)) for s in suites)
        failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
        print(f"{path}: {tests} tests, {failed} failed, {skipped} skipped")
        if tests == 0:
            print(f"{path}: no test ran", file=sys.stderr)
            status = 1
        if skipped:
            for case in root.iter("testcase"):
                if case.find("skipped") is not None:
                    print(f"  skipped: {case.get('classname')}.{case.get('name')}", file=sys.stderr)
            status = 1
        if failed:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
