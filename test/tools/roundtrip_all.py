#!/usr/bin/env python3
"""Round-trips every text IR file of the test suite through dlc-opt.

For each .dlc file under TESTDIR (recursively, in sorted order) it prints
the file with `dlc-opt --print-blobs FILE` (t1), prints t1 again the same
way (t2) and checks that t1 == t2: printing is the identity on printed IR.
Files whose RUN lines expect a failure (`not `) are skipped, and so are
files that do not load (inputs of other tools, for example).

Prints each failure with a diff, then "round-tripped N files, M failed";
exits 1 if any file failed.

usage: roundtrip_all.py DLC_OPT TESTDIR
"""
import difflib
import os
import subprocess
import sys
import tempfile


def expects_failure(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return any("RUN:" in line and "not " in line for line in f)


def dlc_opt(tool, path):
    """Returns (ok, stdout, stderr) of `dlc-opt --print-blobs path`."""
    r = subprocess.run([tool, "--print-blobs", path], capture_output=True)
    return r.returncode == 0, r.stdout, r.stderr


def round_trip(tool, path, tmpdir):
    """Returns None if the file is skipped, else a list of error lines."""
    ok, t1, _ = dlc_opt(tool, path)
    if not ok:
        return None
    t1_path = os.path.join(tmpdir, "t1.dlc")
    with open(t1_path, "wb") as f:
        f.write(t1)
    ok, t2, err = dlc_opt(tool, t1_path)
    if not ok:
        return ["the printed form does not load:"] + \
            err.decode(errors="replace").splitlines()
    if t1 != t2:
        a = t1.decode(errors="replace").splitlines()
        b = t2.decode(errors="replace").splitlines()
        return list(difflib.unified_diff(a, b, "t1", "t2", lineterm=""))
    return []


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    tool, root = argv[1], argv[2]
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        files += [os.path.join(dirpath, n) for n in sorted(filenames)
                  if n.endswith(".dlc")]
    done = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        for path in files:
            rel = os.path.relpath(path, root)
            if expects_failure(path):
                skipped += 1
                continue
            errors = round_trip(tool, path, tmpdir)
            if errors is None:
                skipped += 1
                continue
            done += 1
            if errors:
                failed += 1
                print("FAIL: %s" % rel)
                for line in errors:
                    print("  " + line)
    print("skipped %d files (expected to fail, or not loadable)" % skipped)
    print("round-tripped %d files, %d failed" % (done, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
