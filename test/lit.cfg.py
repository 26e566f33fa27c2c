# lit configuration for dlc. The build writes lit.site.cfg.py (build paths)
# into build/test and loads this file from there: run `lit build/test`.
import os
import sys

import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".dlc", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_build_dir, "test")
config.excludes = ["unit", "fixtures", "models", "Inputs", "tools", "conformance"]

# Tools under test first, then FileCheck and not from LLVM.
path = os.pathsep.join([os.path.join(config.dlc_build_dir, "bin"),
                        config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PATH"] = path
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%dlc_src", config.dlc_src_dir))
config.substitutions.append(("%dlc_build", config.dlc_build_dir))
