"""A plain (non-editable) install finds the bundled content inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_content_and_finds_it(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    [wheel] = list(wheels.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "simulator/_content/phrasebook/prohibited.yaml" in names
    assert any(n.startswith("simulator/_content/scenarios/") for n in names)
    # Run from an unrelated directory with only the unpacked wheel on the path.
    probe = (
        "import simulator.locations as l, simulator.matcher as m;"
        "d = l.bundled_phrasebook_dir(); assert '_content' in str(d), d;"
        "print(len(m.load_matcher([d]).categories))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin", "SIMULATOR_HOME": str(tmp_path / "h")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip()) >= 26
