// Command gensdk writes the SDKs of a Pulumi package schema with Pulumi's own code generators
// (pkg/v3/codegen/python, nodejs and go), the ones `pulumi package gen-sdk` runs inside the
// language hosts. Those hosts (pulumi-language-python, -nodejs, -go) are not served by the Go
// module proxy here, so on this machine `pulumi package gen-sdk` writes only the YAML lock file.
//
//	go run ./gensdk SCHEMA.json OUT_DIR LANGUAGE...   (LANGUAGE: python, nodejs or go)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-workdocs tools/pulumi/gensdk"

func main() {
	if len(os.Args) < 4 {
		fail(fmt.Errorf("usage: gensdk SCHEMA.json OUT_DIR LANGUAGE... (python, nodejs, go)"))
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		fail(fmt.Errorf("%s: %w", os.Args[1], err))
	}
	for _, language := range os.Args[3:] {
		// A fresh binding per language: each generator imports its own language section into it.
		pkg, diags, err := schema.BindSpec(spec, standalone{}, schema.ValidationOptions{})
		if err == nil && diags.HasErrors() {
			err = diags
		}
		if err != nil {
			fail(fmt.Errorf("%s: %w", os.Args[1], err))
		}
		var files map[string][]byte
		switch language {
		case "python":
			files, err = python.GeneratePackage(tool, pkg, nil, standalone{})
		case "nodejs":
			files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, false, standalone{})
		case "go":
			files, err = gogen.GeneratePackage(tool, pkg, nil)
		default:
			err = fmt.Errorf("unknown language %q (python, nodejs or go)", language)
		}
		if err != nil {
			fail(err)
		}
		dir := filepath.Join(os.Args[2], language)
		if err := os.RemoveAll(dir); err != nil {
			fail(err)
		}
		for name, content := range files {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				fail(err)
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				fail(err)
			}
		}
		fmt.Fprintf(os.Stderr, "wrote the %s SDK to %s (%d files)\n", language, dir, len(files))
	}
}

// standalone is the loader of a schema that references no other package: it loads none.
type standalone struct{}

func (standalone) LoadPackage(name string, version *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; gensdk loads no other package", name)
}

func (l standalone) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (l standalone) LoadPackageReference(name string, version *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(name, version)
	return nil, err
}

func (l standalone) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gensdk:", err)
	os.Exit(1)
}
