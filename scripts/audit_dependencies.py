"""Fail when an installed dependency has a known vulnerability (`make audit`, run by CI).

pip-audit does the work. It asks PyPI's per-release JSON API (or OSV) about each installed
distribution; where neither answers, as behind a mirror that serves only the project pages, it
marks the distribution "could not be audited" and still exits 0. For those, this script asks
PyPI's project JSON, whose `vulnerabilities` are those of the latest release: when the installed
version is the latest, that answer is exact. A distribution that is neither audited by pip-audit
nor the latest release is listed as not audited (a warning, not a failure: a constraint may hold
it back). Run it with the virtual environment's Python, so that it sees what is installed.
"""

import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import distributions
from pathlib import Path

from packaging.utils import canonicalize_name

PROJECT_JSON = "https://pypi.org/pypi/{name}/json"
SYSTEM_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def ca_bundle() -> str | None:
    """The certificates to trust: as the environment says, else the system's (which, behind an
    inspecting proxy, holds its certificate where certifi's bundle does not)."""
    for variable in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "PIP_CERT"):
        if os.environ.get(variable):
            return os.environ[variable]
    return str(SYSTEM_CA_BUNDLE) if SYSTEM_CA_BUNDLE.exists() else None


@dataclass
class Findings:
    vulnerable: list[str] = field(default_factory=list)
    not_audited: list[str] = field(default_factory=list)
    audited: int = 0


def installed_versions(*, skip: set[str]) -> dict[str, str]:
    found = {}
    for dist in distributions():
        if not dist.metadata["Name"]:
            continue  # a broken installation record, not a distribution
        name = canonicalize_name(dist.metadata["Name"])
        if name not in skip:
            found[name] = dist.version
    return found


def run_pip_audit() -> dict:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    env = dict(os.environ)
    if ca_bundle():
        env["REQUESTS_CA_BUNDLE"] = ca_bundle()
    result = subprocess.run(
        [str(pip_audit), "--local", "--skip-editable", "--progress-spinner", "off", "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    # pip-audit exits 1 when it finds a vulnerability; its JSON report is on stdout either way.
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"pip-audit gave no report (exit status {result.returncode})") from None


def fetch_project(name: str) -> dict:
    context = ssl.create_default_context(cafile=ca_bundle())
    url = PROJECT_JSON.format(name=name)
    with urllib.request.urlopen(url, timeout=30, context=context) as response:
        return json.load(response)


def _describe(vulnerability: dict) -> str:
    """One advisory, from pip-audit's report (`fix_versions`) or PyPI's JSON (`fixed_in`)."""
    fixed = vulnerability.get("fix_versions") or vulnerability.get("fixed_in") or []
    names = ", ".join([vulnerability["id"], *(vulnerability.get("aliases") or [])])
    return f"{names}; fixed in {', '.join(fixed) or 'no release yet'}"


def assess(
    report: dict, installed: dict[str, str], fetch: Callable[[str], dict] = fetch_project
) -> Findings:
    findings = Findings()
    for dependency in report.get("dependencies", []):
        name = canonicalize_name(dependency["name"])
        if name not in installed:
            continue
        version = installed[name]
        if "skip_reason" not in dependency:
            findings.audited += 1
            for vulnerability in dependency.get("vulns", []):
                findings.vulnerable.append(f"{name} {version}: {_describe(vulnerability)}")
            continue
        project = fetch(name)
        latest = project["info"]["version"]
        if latest != version:
            findings.not_audited.append(f"{name} {version} (latest release {latest})")
            continue
        findings.audited += 1
        for vulnerability in project.get("vulnerabilities", []):
            if vulnerability.get("withdrawn"):
                continue
            findings.vulnerable.append(f"{name} {version}: {_describe(vulnerability)}")
    return findings


def main() -> int:
    own = {canonicalize_name("scrutiny")}
    installed = installed_versions(skip=own)
    try:
        findings = assess(run_pip_audit(), installed)
    except urllib.error.URLError as error:
        print(f"Cannot reach PyPI to audit the dependencies: {error}", file=sys.stderr)
        return 2
    print(f"Dependency audit: {findings.audited} of {len(installed)} distributions audited.")
    for line in findings.not_audited:
        print(f"  not audited: {line}")
    for line in findings.vulnerable:
        print(f"  VULNERABLE: {line}", file=sys.stderr)
    if findings.audited == 0:
        print("No distribution could be audited: the audit proves nothing.", file=sys.stderr)
        return 2
    return 1 if findings.vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
