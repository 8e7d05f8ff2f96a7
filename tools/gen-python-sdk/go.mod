module local/pulumi-gen-python-sdk

go 1.25

// scripts/setup.sh builds this module against the pkg/v3 and sdk/v3 of PULUMI_VERSION (scripts/toolchain.env):
// the version below is only the floor that makes the module build on its own (go run .).
require (
	github.com/pulumi/pulumi/pkg/v3 v3.248.0
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
)

// pkg/v3 requires a clipboard version that only its own replace directive can resolve; replaces in
// dependencies do not apply here, so this module repeats it (as scripts/setup.sh does for the CLI).
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
