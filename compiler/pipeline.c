/* The pass pipeline of each optimization level, as readable lists. Every
 * level starts with shape inference so that later passes see static types. */
#include "dlc/compiler.h"

static const char *const pipelines[4] = {
	/* -O0: only what codegen needs */
	"shape-infer",
	/* -O1: simplification that never costs compile time */
	"shape-infer,fold,eliminate-identity,fold-batchnorm,fold-pad,sink-transpose,merge-transpose-reshape,algebraic,"
	"match-gelu,match-layernorm,match-attention,matmul-add-to-gemm,fold,cse,dce",
	/* -O2 (default): and operator fusion */
	"shape-infer,fold,eliminate-identity,fold-batchnorm,fold-pad,sink-transpose,merge-transpose-reshape,algebraic,"
	"match-gelu,match-layernorm,match-attention,matmul-add-to-gemm,fold,cse,dce,fuse",
	/* -O3 */
	"shape-infer,fold,eliminate-identity,fold-batchnorm,fold-pad,sink-transpose,merge-transpose-reshape,algebraic,"
	"match-gelu,match-layernorm,match-attention,matmul-add-to-gemm,fold,cse,dce,fuse",
};

const char *dlc_pipeline_for_level(int level)
{
	if (level < 0)
		level = 0;
	if (level > 3)
		level = 3;
	return pipelines[level];
}
