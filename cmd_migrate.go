package main

import (
	"context"
	"errors"
)

// migrateCommand is implemented with internal/db (placeholder).
func migrateCommand(ctx context.Context, args []string) error {
	return errors.New("not implemented yet")
}
