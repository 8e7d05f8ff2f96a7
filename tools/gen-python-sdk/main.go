// pulumi-gen-python-sdk writes a package's Python SDK from its Pulumi schema, with the code generator a
// Python language host runs for 'pulumi package gen-sdk --language python'
// (github.com/pulumi/pulumi/pkg/v3/codegen/python). The 3.68 Python host that scripts/setup.sh builds
// predates that RPC (GeneratePackage), so the CLI cannot ask it.
//
//	pulumi-gen-python-sdk SCHEMA.json [OUT]    writes OUT/python (OUT defaults to sdk), as gen-sdk -o OUT does
//
// References to other packages' schemas are not resolved: this tool starts no plugins.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noLoader refuses every reference to another package.
type noLoader struct{}

var errNoLoader = errors.New("the schema refers to another package; pulumi-gen-python-sdk resolves no references")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoLoader
}
func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoLoader
}
func (noLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoLoader
}
func (noLoader) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errNoLoader
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-gen-python-sdk:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: pulumi-gen-python-sdk SCHEMA.json [OUT] (writes OUT/python; OUT defaults to sdk)")
	}
	out := "sdk"
	if len(args) == 2 {
		out = args[1]
	}
	text, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	// As the CLI binds a schema before it asks a language host for an SDK.
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return err
	}
	for _, d := range diags {
		fmt.Fprintf(os.Stderr, "%s: %s %s\n", args[0], d.Summary, d.Detail)
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s is not a valid Pulumi package schema", args[0])
	}
	files, err := python.GeneratePackage("pulumi-gen-python-sdk", pkg, nil, noLoader{})
	if err != nil {
		return err
	}
	// As gen-sdk does: OUT/python is emptied first, so that nothing stale survives.
	root := filepath.Join(out, "python")
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	for name, data := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "Python SDK for %s written to %s (%d files)\n", pkg.Name, root, len(files))
	return nil
}
