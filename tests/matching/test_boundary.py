import subprocess
import sys

FORBIDDEN = {"flask", "flask_login", "sqlalchemy", "wtforms", "mentorship"}


def test_matching_is_importable_without_web_stack() -> None:
    probe = (
        "import sys, matching, matching.vocabulary; "
        f"leaked = {FORBIDDEN!r} & {{m.split('.')[0] for m in sys.modules}}; "
        "assert not leaked, leaked"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
