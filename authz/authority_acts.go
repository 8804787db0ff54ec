package authz

import (
	"context"
	"slices"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// ActFor decides an act done in the name of unit u — issuing a notice from
// it, signing for one addressed to it, recording its meeting or training:
// the caller needs a post at u itself (not one merely covering it) whose
// policy allows action on o. With government set, the act is the
// government's own and u must be a government unit: the governed never
// record the government's acts (field names the input that chose u).
// It returns the posts at u that may act; none for the system.
func ActFor(ctx context.Context, o Object, action string, u Place, unitName string, government bool, field string) ([]Grant, error) {
	if _, err := actingViewer(ctx); err != nil {
		return nil, err
	}
	if government && !u.Kind.IsGovernment() {
		return nil, apperr.Invalid(field, "this is done in the name of a government unit (county, town or department), not of "+unitName)
	}
	grants, err := CheckAt(ctx, o, action, u.ID)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, apperr.Newf(apperr.Forbidden, "%s this %s in the name of %s needs a post there that may; you hold none", action, o.Type, unitName)
	}
	return grants, err
}

// SeesAll refuses an act on a record some of whose parts the caller does
// not read: a mutation acts on no row the caller cannot see. A training is
// changed only by someone who reads every one of its trainees, a publicity
// activity every enterprise it visited, a notice (by its issuer side) every
// recipient's receipt — so a post limited to sectors acts only on a record
// all of whose sectors it holds. read is how many of the parts the caller
// reads (counted through its scope), total how many the record has (its own
// count, written with the parts; the mutations take the rows counted as the
// system when they are more, so a record whose parts once outgrew its count
// is not changed by a caller who reads only as many as the count); parts names them for the message ("this
// training has trainees"). The system acts on everything.
func SeesAll(ctx context.Context, read, total int, parts string) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	if read < total {
		return apperr.Newf(apperr.Forbidden, "%s outside your jurisdiction; a post covering all of them may change it", parts)
	}
	return nil
}

// HoldsSectors reports whether grant g may act on a record concerning
// sectors: it has no sectors, or it holds every one of them.
func HoldsSectors(g Grant, sectors []domain.Sector) bool {
	if len(g.Sectors) == 0 {
		return true
	}
	for _, s := range sectors {
		if !slices.Contains(g.Sectors, s) {
			return false
		}
	}
	return true
}

// CheckSectors decides action on o, a record concerning sectors (a
// campaign's target sectors), as Check does, and then requires one of the
// posts that may to hold every one of those sectors (or none at all): a
// post limited to sectors does not act on a record reaching other sectors,
// even when the record's subject — a government unit — is in its scope.
// what names the record for the message.
func CheckSectors(ctx context.Context, o Object, action string, sectors []domain.Sector, what string) error {
	if err := Check(ctx, o, action); err != nil {
		return err
	}
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	for _, g := range v.Grants {
		if v.Policy != nil && v.Policy.GrantAllows(g, o.Type, action) && g.Covers(o) && HoldsSectors(g, sectors) {
			return nil
		}
	}
	return apperr.Newf(apperr.Forbidden, "%s concerns sectors outside your post's (%s); a post holding all of them may %s it",
		what, SectorKey(sectors), action)
}
