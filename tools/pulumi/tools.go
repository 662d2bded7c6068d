//go:build tools

// Package tools pins the Pulumi CLI so that `go build` here reproduces it.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
