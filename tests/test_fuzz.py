"""The fuzz suite: hypothesis drives every public function of relubook and relubook.checks with
bad and extreme input (tests/fuzz_driver.py), in a subprocess limited to 2 GiB of address space
above its imports and 10 s per call.  Every outcome must be a result or a ValueError/TypeError
naming one of the function's arguments.

``make test`` runs this small budget (RELUBOOK_FUZZ_EXAMPLES, default 2 examples per function,
derandomised so that every run makes the same calls); ``make fuzz`` runs a large one and prints
the table of outcomes.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("fuzz_driver.py")
EXAMPLES = int(os.environ.get("RELUBOOK_FUZZ_EXAMPLES", "2"))


@pytest.fixture(scope="module")
def report():
    env = dict(os.environ, RELUBOOK_DEVICE="cpu", PYTHONPATH=str(DRIVER.parent.parent))
    out = subprocess.run([sys.executable, str(DRIVER), "--examples", str(EXAMPLES), "--seconds", "10",
                          "--memory-gb", "2"], capture_output=True, text=True, timeout=900, env=env)
    assert out.stdout.strip(), f"the fuzz driver died: {out.stderr[-3000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def _bad(report, checks: bool):
    return [b for b in report["bad"] if b["function"].startswith("checks") == checks]


def _show(bad):
    return "\n".join(f"{b['function']}({b['bad']}): {b['outcome']}: {b['message']}" for b in bad[:30])


def test_every_public_function_was_fuzzed(report):
    assert report["functions"] >= 150
    assert report["calls"] >= report["functions"] * EXAMPLES * 0.9


def test_package_outcomes_are_results_or_named_errors(report):
    bad = _bad(report, checks=False)
    assert not bad, f"{len(bad)} bad outcomes:\n{_show(bad)}"


def test_checker_outcomes_are_results_or_named_errors(report):
    bad = _bad(report, checks=True)
    assert not bad, f"{len(bad)} bad outcomes:\n{_show(bad)}"
