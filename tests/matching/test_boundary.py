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


def test_importing_matching_leaves_the_slow_imports_for_first_use() -> None:
    # The web app imports the package for its vocabulary; scikit-learn and OR-Tools
    # take seconds to load and are needed only when text is analysed or a round solved.
    probe = (
        "import sys, matching; "
        "loaded = {'sklearn', 'ortools'} & {m.split('.')[0] for m in sys.modules}; "
        "assert not loaded, loaded; "
        "matching.warm_up(); "
        "assert {'sklearn', 'ortools'} <= {m.split('.')[0] for m in sys.modules}"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
