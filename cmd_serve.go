package main

import (
	"context"
	"errors"
)

// serveCommand runs the server (placeholder).
func serveCommand(ctx context.Context, args []string) error {
	return errors.New("not implemented yet")
}
