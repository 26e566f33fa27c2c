#!/usr/bin/env python3
"""Runs the ONNX backend node tests through dlc-run and classifies them.

    PY=$(tools/venv.sh test)
    $PY test/conformance/run.py [--dlc-build DIR] [--filter REGEX] [--jobs N]
        [--timeout S] [--report [FILE]] [--json FILE] [--expect FILE]
        [--update-expect] [--allow-crashes] [--data DIR]

Every test is one `dlc-run DIR --rtol=R --atol=A` (the case's tolerances) and
lands in one class:
  pass         every output of every data set matches
  wrong        it compiled and ran, and some output is wrong (a FAIL line)
  unsupported  dlc-run exited 1 with a clean diagnostic (an `error:` line):
               the op, type or attribute is not supported yet
  crash        a signal or abort (in dlc or in the generated code), an internal
               error, a sanitizer report, generated C that does not build, or
               an exit without a diagnostic
  timeout      it ran past --timeout (the whole process group is killed)

The run fails (exit 1) when a test listed in the expectation file
(test/conformance/expected_pass.txt) does not pass, and when any test crashes
or times out (unless --allow-crashes). Newly passing tests are reported but do
not fail it; --update-expect rewrites the list. The last line is
`conformance: N passed, M failed (...)`, which tools/check.sh tallies.

The data comes from generate.py (run with this interpreter unless --data is
given); stdlib only, so any python3 runs it with --data.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_EXPECT = os.path.join(HERE, "expected_pass.txt")
DEFAULT_REPORT = os.path.join(ROOT, "docs", "conformance.md")
CLASSES = ("pass", "wrong", "unsupported", "crash", "timeout")

# A test that passes prints only PASS lines; these mark a crash whatever the
# exit status says.
CRASH_MARKERS = (
    re.compile(r"internal error"),
    re.compile(r"^==\d+==ERROR: \w+Sanitizer", re.M),
    re.compile(r"^SUMMARY: \w+Sanitizer", re.M),
    re.compile(r": runtime error: "),  # UBSan
)
RESULT_LINE = re.compile(r"^(PASS|FAIL) (test_data_set_\d+)[/:]", re.M)
EXIT_LINE = re.compile(r"^FAIL (test_data_set_\d+): the generated code exited with status (\d+)", re.M)
ERROR_LINE = re.compile(r"^.*\berror: .*$", re.M)


def relpath(path):
    """PATH relative to the repository when it lies inside it."""
    a = os.path.abspath(path)
    return os.path.relpath(a, ROOT) if a == ROOT or a.startswith(ROOT + os.sep) else path


class Result:
    def __init__(self, name, op, cls, reason="", seconds=0.0):
        self.name, self.op, self.cls, self.reason, self.seconds = name, op, cls, reason, seconds


def normalize(text, testdir, tmpdir):
    """Drops the test and temporary directories from a message."""
    for d in (testdir, tmpdir):
        text = text.replace(d + os.sep, "").replace(d, "<dir>")
    text = re.sub(r"(?<![^\s/'\"])dlc-run-[A-Za-z0-9]{6}/", "", text)
    return text.strip()


def classify(rc, out, err, testdir, tmpdir):
    """(class, reason) of one finished dlc-run."""
    both = out + "\n" + err
    def first_error():
        m = ERROR_LINE.search(err)
        return normalize(m.group(0), testdir, tmpdir) if m else ""
    for marker in CRASH_MARKERS:
        m = marker.search(both)
        if m:
            line = both[both.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
            return "crash", normalize(line, testdir, tmpdir)
    if rc < 0:
        name = signal.Signals(-rc).name if -rc in signal.Signals._value2member_map_ else str(-rc)
        return "crash", f"dlc-run killed by {name}" + (f" after: {first_error()}" if first_error() else "")
    if rc not in (0, 1):
        return "crash", f"dlc-run exited with status {rc}" + (f": {first_error()}" if first_error() else "")
    m = EXIT_LINE.search(out)
    if m and int(m.group(2)) >= 128:
        sig = int(m.group(2)) - 128
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return "crash", f"the generated code was killed by {name} ({m.group(1)})"
    if "building the generated code failed" in err:
        cc = [l for l in err.splitlines() if "error:" in l and "building the generated code" not in l]
        why = normalize(cc[0], testdir, tmpdir) if cc else first_error()
        return "crash", f"the generated C does not build: {why}"
    results = RESULT_LINE.findall(out)
    if rc == 0:
        if results and all(r[0] == "PASS" for r in results):
            return "pass", ""
        return "crash", "dlc-run exited 0 without reporting a result"
    if results:  # it ran; some output is wrong
        fails = [l for l in out.splitlines() if l.startswith("FAIL ")]
        why = fails[0] if fails else first_error() or "FAIL"
        if m:  # the generated code returned an error status
            harness = [l for l in err.splitlines() if l.startswith("harness:")]
            why += ": " + (harness[0] if harness else "")
        return "wrong", normalize(why, testdir, tmpdir)
    e = first_error()
    if e:
        return "unsupported", e
    return "crash", "dlc-run exited 1 without a diagnostic"


def run_one(dlc_run, testdir, meta, timeout, tmpdir, extra_env):
    cmd = [dlc_run, testdir, f"--rtol={meta['rtol']!r}", f"--atol={meta['atol']!r}"]
    # C locale: plain quotes in cc's messages
    env = dict(os.environ, TMPDIR=tmpdir, LC_ALL="C", **extra_env)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         start_new_session=True, encoding="utf-8", errors="replace")
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.communicate()
        return Result(meta["name"], meta["op"], "timeout", f"no result after {timeout:g} s",
                      time.monotonic() - t0)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    cls, reason = classify(p.returncode, out, err, testdir, tmpdir)
    return Result(meta["name"], meta["op"], cls, reason, time.monotonic() - t0)


def sanitizer_env(build):
    """A sanitizer build's runtime library needs the generated code built with
    the same compiler and -fsanitize flags: set CC and DLC_CFLAGS from the
    build's CMakeCache.txt unless they are set."""
    cache = {}
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"^(\w+):\w+=(.*)$", line.rstrip("\n"))
                if m:
                    cache[m.group(1)] = m.group(2)
    except OSError:
        return {}
    if cache.get("DLC_SANITIZE", "OFF").upper() not in ("ON", "1", "TRUE", "YES"):
        return {}
    env = {}
    if "DLC_CFLAGS" not in os.environ:
        env["DLC_CFLAGS"] = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    if "CC" not in os.environ and cache.get("CMAKE_C_COMPILER"):
        env["CC"] = cache["CMAKE_C_COMPILER"]
    return env


def load_tests(data, pattern):
    with open(os.path.join(data, "index.json")) as f:
        index = json.load(f)
    tests = []
    for name in sorted(index["tests"]):
        if pattern and not re.search(pattern, name):
            continue
        with open(os.path.join(data, name, "test.json")) as f:
            tests.append(json.load(f))
    return index["onnx"], sorted(index["tests"]), tests


def read_expect(path):
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


def git_commit():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        if rev.returncode:
            return None
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        return rev.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def reason_key(reason):
    """An unsupported reason without its location (the text after 'error: ')
    and opset version."""
    why = reason.split("error: ", 1)[1] if "error: " in reason else reason
    return re.sub(r"\(opset \d+\)", "(opset N)", why)


PREAMBLE = """\
# ONNX backend node conformance

<!-- Written by test/conformance/run.py --report; do not edit by hand. -->

Every node test of the ONNX backend test suite (`onnx/backend/test/case/node`:
one op each, `*_expanded` ones as the op's function body) goes through
`dlc-run`, which compiles the model to C, builds it, runs every data set and
compares each output within the case's `rtol`/`atol`, as ONNX's own runner
does (`np.testing.assert_allclose`).

## Running it

```sh
PY=$(tools/venv.sh test)            # the pinned onnx, onnxruntime, numpy
cmake -S . -B build && cmake --build build -j"$(nproc)"
$PY test/conformance/run.py         # all tests, nproc jobs, 60 s per test
$PY test/conformance/run.py --filter '^test_(conv|gemm)' --allow-crashes -v
$PY test/conformance/run.py --report            # rewrite this file
```

`run.py` first calls `generate.py`, which writes the tests in the official
layout (model.onnx, test_data_set_N/input_K.pb, output_K.pb, plus test.json
with the tolerances and the ops) into
`${DLC_CACHE_DIR:-~/.cache/dlc}/onnx-node-tests-<onnx version>/`; a stamp
makes that a no-op until onnx or generate.py changes. Options:
`--dlc-build DIR` (default `build`; a sanitizer build gets matching `CC` and
`DLC_CFLAGS`), `--jobs N`, `--timeout S`, `--filter REGEX`, `--report [FILE]`,
`--json FILE`, `--expect FILE`, `--update-expect`, `--allow-crashes`.

Each test gets one class: **pass**; **wrong** (it ran and an output differs);
**unsupported** (`dlc-run` stopped with a clean `error:` diagnostic: an op,
type or attribute dlc does not handle yet); **crash** (a signal or abort, an
internal error, a sanitizer report, generated C that does not build, or an
exit without a diagnostic); **timeout**. Tests count for the ONNX op whose
name is the longest prefix of the test name (`test_reduce_sum_square_*` is
ReduceSumSquare; aliases such as `test_sce_*` are in generate.py).

## Expectations

`tools/check.sh` runs the suite against `test/conformance/expected_pass.txt`.
A test listed there that does not pass fails the run, and so does any crash
or timeout (`--allow-crashes` turns that off for exploring). Newly passing
tests are listed but do not fail it; to record them, run

```sh
$PY test/conformance/run.py --update-expect --report
```

and commit `expected_pass.txt` and this file together (with `--filter`,
`--update-expect` rewrites only the selected tests' lines).
"""


# Tests whose reference data, not dlc, is off by more than the case's
# tolerance: explained in the report (measured by hand; see each note).
KNOWN_WRONG = [
    (r"^test_attention_.*_(bf16|fp16)(_expanded)?$",
     "The reference computes in bf16/fp16 arithmetic (numpy on ml_dtypes: "
     "products, partial sums and softmax rounded as it goes); dlc computes each "
     "op in float32 and rounds its result. Against attention computed in "
     "float64 from the same inputs (test_attention_4d_causal_bf16), dlc is off "
     "by 0.00195 (half a bf16 ulp at 0.5), the reference by 0.00435; the two "
     "differ by one bf16 ulp, over the default rtol 1e-3."),
    (r"^test_dft_inverse(_opset19)?$",
     "The expected output is the original integer signal, the input its DFT "
     "rounded to float32: the exact inverse DFT of that input (float64) differs "
     "from the expected output by 1.4e-6, over the case's atol 1e-7; dlc's "
     "float64 DFT gives 1.9e-6."),
]


def known_wrong(name):
    for pattern, why in KNOWN_WRONG:
        if re.search(pattern, name):
            return why
    return None


def write_report(path, results, onnx_version, total, command):
    counts = collections.Counter(r.cls for r in results)
    lines = [PREAMBLE, "## Results", ""]
    commit = git_commit()
    lines.append(f"- onnx {onnx_version}: {total} node tests" +
                 (f"; dlc commit {commit}" if commit else ""))
    lines.append(f"- command: `{command}`")
    n = len(results)
    pct = 100.0 * counts["pass"] / n if n else 0.0
    lines.append(f"- **{counts['pass']} of {n} pass ({pct:.1f}%)**" +
                 ("" if n == total else f" (a filtered run: {n} of the {total} tests)"))
    lines.append("")
    lines.append("| class | tests | share |")
    lines.append("|---|---:|---:|")
    for c in CLASSES:
        lines.append(f"| {c} | {counts[c]} | {100.0 * counts[c] / n if n else 0:.1f}% |")
    lines.append("")

    lines += ["## By op", "",
              "Sorted by the number of tests that do not pass.", "",
              "| op | tests | pass | wrong | unsupported | crash | timeout |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    per_op = collections.defaultdict(collections.Counter)
    for r in results:
        per_op[r.op][r.cls] += 1
    for op in sorted(per_op, key=lambda o: (-(sum(per_op[o].values()) - per_op[o]["pass"]), o)):
        c = per_op[op]
        lines.append(f"| {op} | {sum(c.values())} | " + " | ".join(str(c[k]) for k in CLASSES) + " |")
    lines.append("")

    reasons = collections.Counter(reason_key(r.reason) for r in results if r.cls == "unsupported")
    if reasons:
        lines += ["## Unsupported, by reason", "", "| tests | reason |", "|---:|---|"]
        for why, k in sorted(reasons.items(), key=lambda x: (-x[1], x[0])):
            lines.append(f"| {k} | {md_cell(why)} |")
        lines.append("")

    bad = [r for r in results if r.cls != "pass"]
    if bad:
        order = {c: i for i, c in enumerate(("crash", "timeout", "wrong", "unsupported"))}
        lines += ["## Tests that do not pass", "", "| test | op | class | reason |", "|---|---|---|---|"]
        for r in sorted(bad, key=lambda r: (order[r.cls], r.name)):
            lines.append(f"| {r.name} | {r.op} | {r.cls} | {md_cell(r.reason)} |")
        lines.append("")
    notes = {}
    for r in bad:
        why = known_wrong(r.name) if r.cls == "wrong" else None
        if why:
            notes.setdefault(why, []).append(r.name)
    if notes:
        lines += ["## Why the wrong ones are wrong", ""]
        for why, names in notes.items():
            lines.append(f"- {', '.join(sorted(names))}: {why}")
        lines.append("")
    text = "\n".join(lines)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def md_cell(text):
    text = text.replace("|", "\\|").replace("`", "'")
    return f"`{text}`" if text else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dlc-build", default=os.path.join(ROOT, "build"),
                    help="dlc build directory holding bin/dlc-run (default: build)")
    ap.add_argument("--data", help="generated tests (default: run generate.py)")
    ap.add_argument("--filter", help="only tests whose name matches this regex (re.search)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                    help="tests run at once (default: nproc)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per test (default 60)")
    ap.add_argument("--report", nargs="?", const=DEFAULT_REPORT, help="write a markdown report "
                    "(default file: docs/conformance.md)")
    ap.add_argument("--json", help="write every test's class and reason as JSON")
    ap.add_argument("--expect", default=DEFAULT_EXPECT,
                    help="tests expected to pass (default: test/conformance/expected_pass.txt)")
    ap.add_argument("--update-expect", action="store_true",
                    help="rewrite the expectation file with what passes now")
    ap.add_argument("--allow-crashes", action="store_true",
                    help="crashes and timeouts do not fail the run")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every test's result")
    args = ap.parse_args()

    dlc_run = os.path.join(os.path.abspath(args.dlc_build), "bin", "dlc-run")
    if not os.access(dlc_run, os.X_OK):
        print(f"run.py: {dlc_run} not found; build dlc first", file=sys.stderr)
        return 2
    data = args.data
    if not data:
        gen = subprocess.run([sys.executable, os.path.join(HERE, "generate.py")],
                             stdout=subprocess.PIPE, text=True)
        if gen.returncode:
            print("run.py: generate.py failed", file=sys.stderr)
            return 2
        data = gen.stdout.strip().splitlines()[-1]
    data = os.path.abspath(data)
    onnx_version, all_names, tests = load_tests(data, args.filter)
    total = len(all_names)
    if not tests:
        print(f"run.py: no test matches {args.filter!r}", file=sys.stderr)
        return 2

    extra_env = sanitizer_env(os.path.abspath(args.dlc_build))
    for k, v in sorted(extra_env.items()):
        print(f"conformance: a sanitizer build: {k}={v}", flush=True)
    tmpdir = tempfile.mkdtemp(prefix="dlc-conformance-")
    results = []
    lock = threading.Lock()
    t0 = time.monotonic()
    print(f"conformance: {len(tests)} tests, {args.jobs} jobs, timeout {args.timeout:g} s, "
          f"{relpath(dlc_run)}", flush=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = [pool.submit(run_one, dlc_run, os.path.join(data, m["name"]), m, args.timeout, tmpdir,
                                extra_env)
                    for m in tests]
            for fut in concurrent.futures.as_completed(futs):
                r = fut.result()
                with lock:
                    results.append(r)
                    done = len(results)
                    if args.verbose or r.cls in ("crash", "timeout"):
                        print(f"  {r.cls.upper()} {r.name}" + (f": {r.reason}" if r.reason else ""),
                              flush=True)
                    if done % 50 == 0 or done == len(tests):
                        npass = sum(x.cls == "pass" for x in results)
                        print(f"[{done}/{len(tests)}] {npass} pass, {time.monotonic() - t0:.0f} s",
                              flush=True)
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    elapsed = time.monotonic() - t0
    results.sort(key=lambda r: r.name)
    counts = collections.Counter(r.cls for r in results)

    # the expectation list, restricted to the tests this run selected
    selected = {m["name"] for m in tests}
    expected = read_expect(args.expect)
    passing = {r.name for r in results if r.cls == "pass"}
    by_name = {r.name: r for r in results}
    regressions = sorted((expected & selected) - passing)
    new = sorted(passing - expected)
    stale = sorted(expected - set(all_names))
    bad = {r.name for r in results if r.cls in ("crash", "timeout")} if not args.allow_crashes else set()

    for cls in ("crash", "timeout"):
        rs = [r for r in results if r.cls == cls]
        if rs:
            print(f"{cls}es:" if cls == "crash" else f"{cls}s:")
            for r in rs:
                print(f"  {r.name}: {r.reason}")
    if regressions:
        print(f"regressions: {len(regressions)} expected to pass but do not:")
        for n in regressions:
            r = by_name[n]
            print(f"  {n}: {r.cls}" + (f": {r.reason}" if r.reason else ""))
    if new:
        print(f"newly passing: {len(new)}" + (":" if args.update_expect else " (update with --update-expect):"))
        for n in new:
            print(f"  {n}")
    if stale:
        print(f"note: {len(stale)} expected tests do not exist in onnx {onnx_version}: "
              + ", ".join(stale[:10]) + (" ..." if len(stale) > 10 else ""))

    if args.update_expect:
        keep = expected - selected  # lines of tests this run did not select
        with open(args.expect, "w") as f:
            f.write("".join(f"{n}\n" for n in sorted(keep | passing)))
        print(f"run.py: wrote {relpath(args.expect)} ({len(keep | passing)} tests)")
        regressions = []
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"onnx": onnx_version, "total": total, "seconds": round(elapsed, 1),
                       "counts": {c: counts[c] for c in CLASSES},
                       "tests": {r.name: {"op": r.op, "class": r.cls, "reason": r.reason,
                                          "seconds": round(r.seconds, 2)} for r in results}},
                      f, indent=1, sort_keys=True)
            f.write("\n")
    if args.report:
        argv = [relpath(a) if os.path.isabs(a) else a for a in sys.argv[1:]]
        command = " ".join(shlex.quote(a) for a in ["test/conformance/run.py"] + argv)
        write_report(args.report, results, onnx_version, total, command)
        print(f"run.py: wrote {relpath(args.report)}")

    failed = len(set(regressions) | bad)
    summary = ", ".join(f"{counts[c]} {c}" for c in CLASSES)
    print(f"conformance: {counts['pass']} passed, {failed} failed "
          f"({len(results)} tests: {summary}; {elapsed:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
