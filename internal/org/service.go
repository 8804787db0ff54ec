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
	"github.com/dutychain/dutychain/internal/input"
)

// Service performs the organisation mutations.
type Service struct {
	Client  *ent.Client
	Dialect string
	Now     func() time.Time
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Limits of the texts the services take, in characters: the limits the
// GraphQL schema documents for the same fields (schema/org.graphql),
// checked with the Guard's rule (input.Text: no control characters, valid
// UTF-8), so that a directory import or the CLI refuses what GraphQL
// refuses.
const (
	MaxName        = 200 // a unit's or enterprise's name, a post's title, a key site
	MaxDisplayName = 100 // a user's display name
	MaxLabel       = 100 // industry category, legal representative, safety manager
	MaxAddress     = 300
	MaxPhone       = 32
	MaxCreditCode  = 32
	MaxPassword    = 200
)

// checkName checks a name as given (max characters, no control
// characters) and that it is not blank.
func checkName(field, v string, max int) error {
	if err := input.Text(field, v, max); err != nil {
		return err
	}
	if strings.TrimSpace(v) == "" {
		return apperr.Invalid(field, field+" must not be empty")
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
