"""Name what this machine lacks for the course, in seconds, before any download.

``make env`` runs it first (``--npm`` too when the goal builds the book). It checks only
what the install cannot fix by itself: first the operating system, its version and the
architecture (torch has no wheels for some; pip would fail deep inside its resolver),
then the Python version, its ``venv`` module (with ``ensurepip``, which Debian and Ubuntu
ship apart as ``python3-venv``) and, for the book, ``npm``. Written for any Python 3, so
that an old one gets a message, not a syntax error.
"""

import argparse
import platform
import shutil
import subprocess
import sys

# numpy 2.4 needs 3.11. Any 3.11 will do: soupsieve is pinned at 2.7, since 4.x needs
# 3.11.5 and Debian 12's own Python is 3.11.2.
MINIMUM = (3, 11, 0)


# torch 2.13.0 (pinned) publishes wheels for macOS 14+ on arm64, Windows on amd64 and Linux
# on x86_64 and aarch64, 64-bit only; nothing else can install the course's environment.
MACOS_MINIMUM = (14, 0)
ELSEWHERE = ("use a machine torch supports (Linux x86_64 or aarch64, Windows x86-64, a Mac "
             "with Apple silicon on macOS 14 or later), or a Linux virtual machine, container "
             "or hosted Linux notebook service (e.g. Google Colab) with Python 3.11 to 3.13, "
             "where `pip install -r requirements.txt -c constraints.txt` installs the course. "
             "The built book (`make dist`, `make pdf` on another machine) reads anywhere.")


def running_under_rosetta():
    """True when this Python is an x86_64 build running under Rosetta 2 on Apple silicon."""
    try:
        out = subprocess.run(["sysctl", "-in", "sysctl.proc_translated"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.stdout.strip() == b"1"


def mac_problems(machine, mac_version=None, translated=None):
    """What torch 2.13 cannot install on among Macs: Intel, Rosetta, macOS before 14.

    ``mac_version`` and ``translated`` default to this machine's (asked only when needed).
    """
    if machine != "arm64":
        if translated if translated is not None else running_under_rosetta():
            return ["This Python is an Intel (x86_64) build running under Rosetta on Apple "
                    "silicon: torch 2.13 has no macOS wheels for Intel. Install an arm64 or "
                    "universal2 Python 3.11+ (python.org's macOS installer, Homebrew in "
                    "/opt/homebrew, or uv) and run again with it."]
        return ["This is an Intel Mac (x86_64): torch 2.13, which the course needs, ships macOS "
                "wheels only for Apple silicon, so the install would fail inside pip. To run "
                "the notebooks, " + ELSEWHERE]
    version = mac_version if mac_version is not None else platform.mac_ver()[0]
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if parts and parts < MACOS_MINIMUM:
        return ["This is macOS {}: torch 2.13, which the course needs, ships wheels for macOS 14 "
                "(Sonoma) or later, so the install would fail inside pip. Every Mac with Apple "
                "silicon can update to macOS 14 (System Settings > General > Software Update); "
                "or ".format(version) + ELSEWHERE]
    return []


def platform_problems(system=None, machine=None, mac_version=None, bits=None, translated=None):
    """What torch 2.13 cannot install on: this OS, its version, its architecture, a 32-bit Python.

    Every argument defaults to this machine's value (``platform``; ``translated``: Rosetta).
    """
    system = platform.system() if system is None else system
    machine = (platform.machine() if machine is None else machine).lower()
    bits = (64 if sys.maxsize > 2**32 else 32) if bits is None else bits
    if bits != 64:
        return ["This Python is a {}-bit build: torch, which the course needs, installs only into "
                "a 64-bit Python. Install the 64-bit Python 3.11+ (python.org: \"64-bit\" "
                "installer).".format(bits)]
    if system == "Darwin":
        return mac_problems(machine, mac_version, translated)
    if system == "Windows":
        if machine in ("amd64", "x86_64"):
            return []
        if machine == "arm64":
            return ["This is Windows on ARM (arm64): torch 2.13, which the course needs, has no "
                    "Windows arm64 wheels on the public index, so the install would fail inside "
                    "pip. Use WSL 2 (`wsl --install`, then Ubuntu): inside it the course installs "
                    "as on Linux aarch64, for which torch has wheels. Or " + ELSEWHERE]
        return ["This is Windows on {}: torch 2.13 has Windows wheels only for x86-64 (AMD64). "
                "To run the notebooks, ".format(machine) + ELSEWHERE]
    if system == "Linux":
        if machine in ("x86_64", "amd64", "aarch64", "arm64"):
            return []
        return ["This is Linux on {}: torch 2.13, which the course needs, has Linux wheels only for "
                "x86_64 and aarch64, so the install would fail inside pip. To run the notebooks, "
                .format(machine) + ELSEWHERE]
    return ["This is {} ({}): torch 2.13, which the course needs, has wheels only for Linux, "
            "Windows and macOS. To run the notebooks, ".format(system or "an unknown system", machine)
            + ELSEWHERE]


def problems(need_npm, version=None, platform_found=None):
    """Messages naming each missing piece, the platform first; empty when the machine is ready.

    ``platform_found`` is :func:`platform_problems`'s answer (computed when None).
    """
    version = tuple(sys.version_info[:3] if version is None else version)
    found = list(platform_problems() if platform_found is None else platform_found)
    if version < MINIMUM:
        found.append(
            "Python {} is too old: the course needs Python >= {}. Install a newer one and "
            "run `make PYTHON=/path/to/python3.11 ...`.".format(
                ".".join(map(str, version)), ".".join(map(str, MINIMUM))))
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        found.append(
            "{} has no working `venv` module (no ensurepip). On Debian/Ubuntu: "
            "`sudo apt install python3-venv` (or python3.X-venv for your version); "
            "without root, use a Python from python.org, pyenv, uv or conda.".format(sys.executable))
    if need_npm and shutil.which("npm") is None:
        found.append(
            "npm is not on the PATH: building the book installs the JavaScript the site serves "
            "(MathJax, the widgets manager, require.js) with `npm ci`. Install Node.js "
            "(https://nodejs.org, or your package manager). Reading needs no Node: notebooks "
            "open with `make lab`; a built site (`make dist`) or PDF (`make pdf`) opens anywhere.")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm", action="store_true", help="npm is needed too (building the book)")
    found = problems(parser.parse_args().npm)
    for p in found:
        sys.stderr.write("preflight: " + p + "\n")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
