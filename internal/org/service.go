// Package org changes the unit tree, enterprises, users and posts. Each
// operation validates its input, runs in one transaction and relies on the
// ent hooks of package authz for tenant stamping and the jurisdiction check,
// so nothing here can write outside the caller's scope. One file a record:
// units.go (move.go re-parents a subtree), enterprises.go, users.go,
// posts.go.
package org

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// Service performs the organisation mutations.
type Service struct {
	Client  *ent.Client
	Dialect string
	Now     func() time.Time
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func checkName(field, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return apperr.Invalid(field, field+" must not be empty")
	}
	if len([]rune(v)) > 200 {
		return apperr.Invalid(field, field+" must be at most 200 characters")
	}
	return nil
}

func checkCode(v string) error {
	if !codePattern.MatchString(v) {
		return apperr.Invalid("code", "code must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return nil
}

func checkSectors(field string, secs []domain.Sector) error {
	seen := map[domain.Sector]bool{}
	for _, s := range secs {
		if !s.Valid() {
			return apperr.Invalid(field, fmt.Sprintf("unknown sector %q", s))
		}
		if seen[s] {
			return apperr.Invalid(field, fmt.Sprintf("sector %s listed twice", s))
		}
		seen[s] = true
	}
	return nil
}
