import subprocess
import sys


def test_help_exits_zero_and_lists_subcommands():
    result = subprocess.run([sys.executable, "-m", "rt_tui.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "emulator" in result.stdout
