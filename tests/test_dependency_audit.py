"""CI's dependency audit (scripts/audit_dependencies.py) fails on a known vulnerability."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

CVE = {"id": "PYSEC-2018-97", "aliases": ["CVE-2018-6594"], "fixed_in": [], "withdrawn": None}


def project(version, vulnerabilities=()):
    return {"info": {"version": version}, "vulnerabilities": list(vulnerabilities)}


def skipped(name, version):
    return {"name": name, "skip_reason": f"Dependency not found on PyPI: {name} ({version})"}


def test_a_vulnerability_pip_audit_finds_is_reported():
    advisory = {"id": "PYSEC-2026-1", "fix_versions": ["6.1.1"], "aliases": ["CVE-2026-1"]}
    report = {"dependencies": [{"name": "Django", "version": "6.1.0", "vulns": [advisory]}]}
    findings = audit.assess(report, {"django": "6.1.0"}, fetch=pytest.fail)
    assert findings.vulnerable == ["django 6.1.0: PYSEC-2026-1, CVE-2026-1; fixed in 6.1.1"]


def test_what_pip_audit_could_not_reach_is_audited_from_the_project_page():
    report = {"dependencies": [skipped("pycrypto", "2.6.1"), skipped("weasyprint", "70.0")]}
    pages = {"pycrypto": project("2.6.1", [CVE]), "weasyprint": project("70.0")}
    findings = audit.assess(report, {"pycrypto": "2.6.1", "weasyprint": "70.0"}, fetch=pages.get)
    assert findings.audited == 2
    assert [line.split(":")[0] for line in findings.vulnerable] == ["pycrypto 2.6.1"]


def test_withdrawn_advisories_do_not_fail_the_audit():
    withdrawn = dict(CVE, withdrawn="2024-01-01T00:00:00Z")
    report = {"dependencies": [skipped("pycrypto", "2.6.1")]}
    findings = audit.assess(
        report, {"pycrypto": "2.6.1"}, fetch=lambda name: project("2.6.1", [withdrawn])
    )
    assert findings.vulnerable == []


def test_an_older_release_than_the_project_page_describes_is_listed_as_not_audited():
    report = {"dependencies": [skipped("pycrypto", "2.6")]}
    findings = audit.assess(report, {"pycrypto": "2.6"}, fetch=lambda name: project("2.6.1", [CVE]))
    assert findings.vulnerable == []
    assert findings.not_audited == ["pycrypto 2.6 (latest release 2.6.1)"]
    assert findings.audited == 0
