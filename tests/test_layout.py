"""The shape of nnlab (issue 22): folders are floors and imports point down.

Bottom to top (docs/library.md opens with this map):

    core < data < modelfile < train < experiments < store < viz < cli < estimator

A module may import modules of its own floor and of the floors below, never above;
no two modules import each other, directly or round a circle (imports inside
functions count too: they run all the same, only later).  modelfile.py and
estimator.py sit at the top of nnlab/ where users look for them; modelfile imports
only core and data (experiments/kaggle.py uses it), the estimator everything it needs.
"""
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ["core", "data", "modelfile", "train", "experiments", "store", "viz", "cli", "estimator"]
MAX_LINES = 320  # "about 300" (issue 22): a screenful or a few, one idea per file (STYLE.md, principle 1)
# Speed tricks live in nnlab/train/fast/ and are reached through the engine; the package
# root applies the OpenBLAS setting before NumPy loads, and the speed benchmark reports them.
FAST_USERS = {"nnlab", "nnlab.train.engines", "nnlab.experiments.bench"}


def modules() -> dict:
    """Every module of nnlab: dotted name -> path."""
    out = {}
    for path in sorted((ROOT / "nnlab").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def app_modules() -> dict:
    """The dashboard's modules: app.py, the page scripts and their helpers."""
    out = {"app": ROOT / "app.py"}
    for path in sorted((ROOT / "pages").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


APP = app_modules()


def imported(name: str, path: Path, roots=("nnlab",)) -> set:
    """The modules of `roots` (nnlab; the app's too when asked) `name` imports, anywhere in the file."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] in roots}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            if base.split(".")[0] not in roots:
                continue
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES or f"{base}.{a.name}" in APP else base)
    found.discard(name)
    return found


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}
APP_GRAPH = {name: imported(name, path, roots=("nnlab", "pages")) for name, path in APP.items()}


def floor(name: str):
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FLOORS else None


def test_every_module_of_nnlab_is_on_a_floor():
    loose = [m for m in MODULES if m not in ("nnlab", "nnlab.__main__") and floor(m) is None]
    assert not loose, f"modules on no floor (put them in a subpackage, or add the floor to FLOORS): {loose}"


def test_imports_point_down():
    upward = [f"{a} ({floor(a)}) imports {b} ({floor(b)})" for a, deps in GRAPH.items() for b in sorted(deps)
              if floor(a) and floor(b) and FLOORS.index(floor(b)) > FLOORS.index(floor(a))]
    assert not upward, "imports pointing up a floor:\n" + "\n".join(upward)


def circles_in(graph: dict) -> list:
    """Tarjan's strongly connected components: any with two or more modules is a circle."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return circles


def test_no_import_circles():
    circles = circles_in(GRAPH)
    assert not circles, f"modules that import each other (directly or round a circle): {circles}"


def test_no_import_circles_in_the_dashboard():
    circles = circles_in(APP_GRAPH)
    assert not circles, f"app modules that import each other (directly or round a circle): {circles}"


def test_pages_holds_the_page_scripts_and_their_helpers_folder():
    """pages/ holds what app.py routes, nothing else; a helper is never a page and never
    imports one (a page script runs top to bottom when imported)."""
    routed = set(re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', (ROOT / "app.py").read_text()))
    scripts = {str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"}
    assert scripts == routed, f"not routed: {sorted(scripts - routed)}; missing: {sorted(routed - scripts)}"
    pages = {m for m, p in APP.items() if p.parent == ROOT / "pages" and p.name != "__init__.py"}
    wrong = [f"{a} imports {b}" for a, deps in APP_GRAPH.items() for b in deps if b in pages]
    assert not wrong, "page scripts imported by other modules:\n" + "\n".join(wrong)


def test_speed_code_is_reached_through_the_engine():
    leaks = [f"{a} imports {b}" for a, deps in {**GRAPH, **APP_GRAPH}.items() for b in sorted(deps)
             if b.startswith("nnlab.train.fast") and not a.startswith("nnlab.train.fast") and a not in FAST_USERS]
    assert not leaks, "speed code reached past nnlab/train/engines.py:\n" + "\n".join(leaks)


def third_party_imports(path: Path) -> set:
    """Top-level names of the packages a file imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.add((node.module or "").split(".")[0])
    return names


def test_numba_is_imported_only_by_the_fast_engine():
    # numba is optional (the fast engine keeps its NumPy path) and a speed trick: fast/ only
    app = [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    files = [*MODULES.items(), *((str(p.relative_to(ROOT)), p) for p in app)]
    users = sorted(name for name, path in files if "numba" in third_party_imports(path))
    assert users and all(u.startswith("nnlab.train.fast.") for u in users), users


def test_no_module_of_nnlab_imports_streamlit():
    def streamlit_in(path):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] == "streamlit" for n in names):
                return True
        return False

    assert not [m for m, p in MODULES.items() if streamlit_in(p)]


def test_the_core_loads_neither_training_nor_plotly_nor_streamlit():
    core = [m for m in MODULES if floor(m) == "core"]
    code = f"import sys\nimport {', '.join(core)}\nprint(' '.join(sorted(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    loaded = set(r.stdout.split())
    assert not {m for m in loaded if m.split(".")[0] in ("plotly", "streamlit", "pandas", "sklearn")}
    # nnlab/__init__.py applies the OpenBLAS setting (train/fast/openblas.py) before NumPy loads
    allowed = {"nnlab", "nnlab.train", "nnlab.train.fast", "nnlab.train.fast.openblas"}
    above = sorted(m for m in loaded if m.startswith("nnlab.") and floor(m) != "core" and m not in allowed)
    assert not above, f"importing the core loads: {above}"


def test_no_module_is_longer_than_about_a_screenful_or_a_few():
    long = {str(p.relative_to(ROOT)): n for p in [*MODULES.values(), *APP.values()]
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by idea): {long}"
