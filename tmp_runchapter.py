"""Run the code cells of a MyST chapter as one script (no Jupyter): stub glue, widgets, display."""
import os, re, sys, time, types, traceback
import matplotlib
matplotlib.use("Agg")
glued = {}
myst_nb = types.ModuleType("myst_nb"); myst_nb.glue = lambda name, value, display=True: glued.__setitem__(name, value)
sys.modules["myst_nb"] = myst_nb
try:
    import IPython.display  # noqa
except ImportError:
    ip = types.ModuleType("IPython"); disp = types.ModuleType("IPython.display")
    disp.display = lambda *a, **k: None; disp.Image = disp.HTML = disp.Markdown = lambda *a, **k: None
    ip.display = disp; sys.modules["IPython"] = ip; sys.modules["IPython.display"] = disp
path = sys.argv[1]
text = open(path).read()
cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, flags=re.S)
ns = {"__name__": "__main__"}
t0 = time.time()
skipped = 0
for i, cell in enumerate(cells):
    body = "\n".join(l for l in cell.splitlines() if not l.startswith(":"))
    if "skip-execution" in cell or "widgets." in body or "plotting.animate" in body:
        skipped += 1
        continue
    try:
        exec(compile(body, f"{path}[cell {i}]", "exec"), ns)
    except Exception:
        print(f"FAIL {path} base {os.environ.get('RELUBOOK_SEED')} cell {i}:\n{body[:300]}")
        traceback.print_exc()
        sys.exit(1)
    import matplotlib.pyplot as plt; plt.close("all")
print(f"OK {path} base {os.environ.get('RELUBOOK_SEED')} {len(cells) - skipped} cells ({skipped} skipped) {time.time() - t0:.0f}s")
