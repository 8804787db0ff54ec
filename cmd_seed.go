package main

import (
	"context"
	"errors"
)

// seedCommand is implemented with internal/seed (placeholder).
func seedCommand(ctx context.Context, args []string) error {
	return errors.New("not implemented yet")
}
