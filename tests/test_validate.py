"""Cell validation (``benchmark validate``): the example third-party package passes every
tier; each deliberately broken cell is refused at its tier with its message; a cell's own
mod files may reuse the names of the project's mechanisms.

Real NEURON simulations and a real smoke run (training included) in worker processes.
The example package (``tests/example_package``) must be installed: tox installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmark.cells import registry
from benchmark.pipeline import validation
from benchmark.simulation import physiology
from conftest import run_cli

pytestmark = [pytest.mark.neuron, pytest.mark.slow]

BROKEN = Path(__file__).resolve().parent / "data" / "broken_cells"
MIRROR = Path(os.environ.get("NEURODEPTH_MIRROR") or "neurodepth-mirror-not-set")


def test_example_package_is_registered_through_its_entry_point() -> None:
    folder = registry.folder_of("ballstick_nmda")
    assert "example_package" in str(folder) or "site-packages" in str(folder), folder
    listed = run_cli("list", check=True).stdout
    assert "ballstick_nmda" in listed


def test_example_package_passes_every_tier() -> None:
    proc = run_cli("validate", "--cell", "ballstick_nmda", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [x for x in proc.stdout.splitlines() if x.startswith(("ok ", "FAIL"))]
    assert [x.split()[1] for x in lines] == list(validation.TIERS), proc.stdout
    assert "ballstick_nmda: passed 8 tier(s), up to smoke" in proc.stdout
    assert "on dendrites" in proc.stdout and "bit for bit" in proc.stdout


@pytest.mark.parametrize(("folder", "tier", "message"), [
    ("bad_toml", "spec", "bad_toml/cell.toml: field '-': not valid TOML"),
    ("missing_morphology", "spec", 'files."ballstick.swc".path'),
    ("bad_mod", "mechanisms",
     "nrnivmodl failed in nd_broken.mod (Error: Illegal block at line 12"),
    ("nan_voltage", "rest", "the soma voltage is not finite (NaN or infinite) at rest"),
    ("never_fires", "response", "never fires under the protocol's input, even at rates x64"),
])
def test_broken_cell_is_refused_at_its_tier(folder: str, tier: str, message: str) -> None:
    results = validation.validate(BROKEN / folder, up_to="determinism")
    *passed, failed = results
    assert all(r.passed for r in passed)
    assert [r.tier for r in results] == list(validation.TIERS[:validation.TIERS.index(tier) + 1])
    assert not failed.passed and message in failed.message, failed.message
    assert "fix: " in failed.message and "\n" not in failed.message


def test_cli_failure_is_one_line_and_exit_code_1() -> None:
    proc = run_cli("validate", "--cell", str(BROKEN / "never_fires"), "--up-to", "response")
    assert proc.returncode == 1
    failures = [x for x in proc.stderr.splitlines() if x.startswith("FAIL")]
    assert len(failures) == 1 and failures[0].split()[1] == "response", proc.stderr
    assert proc.stdout.count("\nok ") + proc.stdout.startswith("ok ") == 4


def test_check_cell_raises_for_a_third_party_test_suite() -> None:
    with pytest.raises(validation.CellCheckError, match="^rest: the soma voltage") as info:
        validation.check_cell(BROKEN / "nan_voltage", up_to="response")
    assert info.value.tier == "rest"
    results = validation.check_cell("ballstick_nmda", up_to="build")
    assert [r.tier for r in results] == ["spec", "mechanisms", "build"]


def test_unknown_cell_fails_the_spec_tier_with_a_suggestion() -> None:
    (result,) = validation.validate("ballstick_nmdaa", up_to="smoke")
    assert result.tier == "spec" and not result.passed
    assert "did you mean 'ballstick_nmda'" in result.message


def test_own_mod_names_clash_harmlessly_with_the_catalogues() -> None:
    """The example cell's own ``Ih`` (parameter gbar) and the L5PC's ``Ih`` of the hay2011
    catalogue (parameter gIhbar) are used by one parent process, each in its own worker."""
    if not (MIRROR / "hay2011_l5pc" / "cell1.asc").is_file():
        pytest.skip("the L5PC's morphology is not in the cell-data mirror")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURODEPTH_MIRROR", str(MIRROR))
        ours = physiology.measure(registry.get("ballstick_nmda"), "anatomy")
        hay = physiology.measure(registry.get("l5pc_hay2011"), "anatomy")
        again = physiology.measure(registry.get("ballstick_nmda"), "anatomy")
    own_ih = ours["regions"]["apic"]["first"]["mechanisms"]["Ih"]
    hay_ih = hay["regions"]["apic"]["first"]["mechanisms"]["Ih"]
    assert own_ih["gbar"] == pytest.approx(1.0e-4) and "gIhbar" not in own_ih
    assert "gIhbar" in hay_ih and "gbar" not in hay_ih
    assert again == ours


def test_an_implausibly_fast_cell_passes_the_response_tier_with_a_warning(
        tmp_path: Path) -> None:
    """A lif whose threshold sits 0.5 mV above rest fires far above 100 Hz under the
    protocol: the tier passes (the cell runs) and warns, and the CLI prints the warning."""
    from conftest import make_cell

    make_cell(tmp_path, "lif_fast")
    path = tmp_path / "lif_fast" / "cell.toml"
    path.write_text(path.read_text().replace("v_thresh_mv = -55.0", "v_thresh_mv = -69.5")
                    .replace("v_reset_mv = -60.0", "v_reset_mv = -70.0")
                    .replace("t_refrac_ms = 2.0", "t_refrac_ms = 0.5")
                    .replace("t_peak_ms = 1.0", "t_peak_ms = 0.5"))
    (result,) = validation.validate(str(tmp_path / "lif_fast"), only="response")[1:]
    assert result.passed and "Hz)" in result.message
    assert result.warning is not None and "implausible" in result.warning
    proc = run_cli("validate", "--cell", str(tmp_path / "lif_fast"), "--tier", "response")
    assert proc.returncode == 0 and "WARN response" in proc.stderr


def test_a_plausible_cell_has_no_warning() -> None:
    (result,) = validation.validate("lif", only="response")[1:]
    assert result.passed and result.warning is None
