// Package letters runs responsibility letters (安全生产责任书) through their
// lifecycle: drafted and issued by the heads of the issuer unit, signed by
// the heads of the signee unit (both PARTY_SECRETARY and GOVERNMENT_HEAD for
// a town or department, 党政同责; the PRINCIPAL otherwise), revoked or
// archived by the issuer side; bulk issue from a template; attachments; and
// the chain-coverage view (coverage.go). Every step validates, decides with
// casbin through authz (the role rules are policy rows, the "post held at
// this unit" rule is authz.CheckAt), runs in one transaction, and records
// who did it, in which post, when. See docs/LETTERS.md.
package letters

import (
	"context"
	"fmt"
	"github.com/dutychain/dutychain/internal/txn"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/file"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/lettersignature"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
)

// Limits of the letter text, in characters.
const (
	MaxTitle       = 200
	MaxBody        = 20000
	MaxTargets     = 50
	MaxTarget      = 500
	MaxIndicator   = 200
	MaxReason      = 500
	MaxDescription = 500
)

// Service performs the letter mutations and answers the coverage query.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (for the coverage SQL).
	Dialect string
	Files   *files.Service
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// inTx runs fn in one transaction (internal/txn).
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return txn.Run(ctx, s.Client, fn)
}

// RequiredRoles are the signatures a letter to a unit of kind needs: both
// heads of a government unit (党政同责), the PRINCIPAL of an enterprise-side
// unit.
func RequiredRoles(kind domain.UnitKind) []domain.Role {
	if kind.IsGovernment() {
		return []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead}
	}
	return []domain.Role{domain.RolePrincipal}
}

// Missing returns the roles of RequiredRoles(kind) not among signed.
func Missing(kind domain.UnitKind, signed []domain.Role) []domain.Role {
	out := []domain.Role{}
	for _, r := range RequiredRoles(kind) {
		if !slices.Contains(signed, r) {
			out = append(out, r)
		}
	}
	return out
}

// Target is one responsibility target as given by a client.
type Target struct {
	Description string
	Indicator   *string
}

func tooLong(field string, max int) error {
	return apperr.Invalid(field, fmt.Sprintf("%s must be at most %d characters", field, max))
}

func checkYear(year int, now time.Time) error {
	if year < 2000 || year > now.Year()+1 {
		return apperr.Invalid("year", fmt.Sprintf("year must be between 2000 and %d", now.Year()+1))
	}
	return nil
}

func cleanTitle(title string) (string, error) {
	t := strings.TrimSpace(title)
	switch {
	case t == "":
		return "", apperr.Invalid("title", "title must not be empty")
	case utf8.RuneCountInString(t) > MaxTitle:
		return "", tooLong("title", MaxTitle)
	}
	return t, nil
}

func cleanBody(body *string) (string, error) {
	if body == nil {
		return "", nil
	}
	if utf8.RuneCountInString(*body) > MaxBody {
		return "", tooLong("body", MaxBody)
	}
	return strings.TrimSpace(*body), nil
}

func cleanTargets(in []Target) ([]domain.LetterTarget, error) {
	if len(in) > MaxTargets {
		return nil, apperr.Invalid("targets", fmt.Sprintf("a letter has at most %d targets", MaxTargets))
	}
	out := make([]domain.LetterTarget, 0, len(in))
	for i, t := range in {
		d := strings.TrimSpace(t.Description)
		field := fmt.Sprintf("targets[%d]", i)
		switch {
		case d == "":
			return nil, apperr.Invalid(field+".description", "every target needs a description")
		case utf8.RuneCountInString(d) > MaxTarget:
			return nil, tooLong(field+".description", MaxTarget)
		}
		lt := domain.LetterTarget{Description: d}
		if t.Indicator != nil {
			ind := strings.TrimSpace(*t.Indicator)
			if utf8.RuneCountInString(ind) > MaxIndicator {
				return nil, tooLong(field+".indicator", MaxIndicator)
			}
			if ind != "" {
				lt.Indicator = &ind
			}
		}
		out = append(out, lt)
	}
	return out, nil
}

// visibleUnit loads a unit the caller can read, NOT_FOUND otherwise.
func visibleUnit(ctx context.Context, c *ent.Client, id int, field string) (*ent.Unit, error) {
	u, err := c.Unit.Get(ctx, id)
	if ent.IsNotFound(err) {
		e := apperr.NotFoundf("unit not found")
		e.Field = field
		return nil, e
	}
	if err != nil {
		return nil, fmt.Errorf("load unit %d: %w", id, err)
	}
	return u, nil
}

// loadLetter loads a letter the caller can read, NOT_FOUND otherwise.
func loadLetter(ctx context.Context, c *ent.Client, id int) (*ent.ResponsibilityLetter, error) {
	l, err := c.ResponsibilityLetter.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("letter not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load letter %d: %w", id, err)
	}
	return l, nil
}

// object is the decision object of a letter: its signee's position and its
// issuer's path.
func object(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter) (authz.Object, error) {
	o, err := authz.ObjectAt(ctx, c, "letter", l.TenantID, l.ScopePath, l.ScopeSector, l.ScopeEnterpriseID)
	if err != nil {
		return o, err
	}
	if l.IssuerScopePath != nil {
		o.IssuerPath = *l.IssuerScopePath
	}
	return o, nil
}

// objectFor is the decision object of a letter not written yet.
func objectFor(ctx context.Context, c *ent.Client, issuer, signee *ent.Unit) (authz.Object, error) {
	o, err := authz.ObjectAt(ctx, c, "letter", signee.TenantID, signee.ScopePath, signee.ScopeSector, signee.ScopeEnterpriseID)
	o.IssuerPath = issuer.ScopePath
	return o, err
}

// issuerSide decides action for the caller's posts at the issuer unit, with
// a message saying who may.
func issuerSide(ctx context.Context, o authz.Object, action string, l *ent.ResponsibilityLetter) ([]authz.Grant, error) {
	grants, err := authz.CheckAt(ctx, o, action, l.IssuerUnitID)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, apperr.Newf(apperr.Forbidden, "only the PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL of %s may %s its letters", l.IssuerName, verb(action))
	}
	return grants, err
}

func verb(action string) string {
	if action == "update" {
		return "edit or discard"
	}
	return action
}

// actor is who performs a step, for the record.
type actor struct {
	name, title string
	role        *domain.Role
	userID      *int
	postID      *int
}

// actorOf names the caller acting in post g.
func actorOf(ctx context.Context, c *ent.Client, g authz.Grant) (actor, error) {
	sys := authz.SystemContext(ctx)
	p, err := c.Post.Query().Where(post.ID(g.PostID)).WithUser().Only(sys)
	if err != nil {
		return actor{}, fmt.Errorf("load post %d: %w", g.PostID, err)
	}
	role := p.Role
	a := actor{title: p.Title, role: &role, postID: &p.ID, userID: &p.UserID}
	if p.Edges.User != nil {
		a.name = p.Edges.User.DisplayName
	}
	return a, nil
}

// NewEvent returns the builder of an event of l, carrying l's scope columns
// (an event is read as part of its letter). Save it as the system.
func NewEvent(c *ent.Client, l *ent.ResponsibilityLetter, action letterevent.Action, from *domain.LetterState, to domain.LetterState, at time.Time) *ent.LetterEventCreate {
	return c.LetterEvent.Create().SetTenantID(l.TenantID).SetScopePath(l.ScopePath).
		SetNillableScopeSector(l.ScopeSector).SetNillableScopeEnterpriseID(l.ScopeEnterpriseID).
		SetNillableIssuerScopePath(l.IssuerScopePath).
		SetLetterID(l.ID).SetAction(action).SetNillableFromState(from).SetToState(to).SetAt(at)
}

// NewSignature returns the builder of a signature on l, carrying l's scope
// columns. Save it as the system.
func NewSignature(c *ent.Client, l *ent.ResponsibilityLetter, role domain.Role, at time.Time) *ent.LetterSignatureCreate {
	return c.LetterSignature.Create().SetTenantID(l.TenantID).SetScopePath(l.ScopePath).
		SetNillableScopeSector(l.ScopeSector).SetNillableScopeEnterpriseID(l.ScopeEnterpriseID).
		SetNillableIssuerScopePath(l.IssuerScopePath).
		SetLetterID(l.ID).SetRole(role).SetSignedAt(at)
}

func (s *Service) record(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter, action letterevent.Action, from *domain.LetterState, a actor, note string) error {
	ev := NewEvent(c, l, action, from, l.State, s.now()).
		SetActorName(a.name).SetActorTitle(a.title).SetNillableActorRole(a.role).
		SetNillableActorUserID(a.userID).SetNillableActorPostID(a.postID)
	if note != "" {
		ev.SetNote(note)
	}
	if err := ev.Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("record %s: %w", action, err)
	}
	return nil
}

// step applies a version-checked update to l as the act action and returns
// the letter after it. A concurrent step that committed first makes this one
// a CONFLICT, so two steps never both build on the same state.
func (s *Service) step(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter, action string, set func(*ent.ResponsibilityLetterUpdateOne)) (*ent.ResponsibilityLetter, error) {
	upd := c.ResponsibilityLetter.UpdateOneID(l.ID).Where(responsibilityletter.Version(l.Version)).SetVersion(l.Version + 1)
	set(upd)
	out, err := upd.Save(authz.WithAction(ctx, action))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Conflict, "the letter was changed by someone else meanwhile; reload it and try again")
	}
	return out, err
}

// checkChain enforces the chain rule (层层签订): the signee is a direct child
// of the issuer, or an enterprise the issuing department supervises.
func checkChain(ctx context.Context, c *ent.Client, issuer, signee *ent.Unit) error {
	if signee.ParentID != nil && *signee.ParentID == issuer.ID {
		return nil
	}
	if issuer.Kind == domain.KindDepartment && signee.Kind == domain.KindEnterprise {
		ok, err := c.Supervision.Query().Where(supervision.DepartmentID(issuer.ID), supervision.EnterpriseID(signee.ID)).
			Exist(authz.SystemContext(ctx))
		if err != nil {
			return fmt.Errorf("look up supervision: %w", err)
		}
		if ok {
			return nil
		}
	}
	return apperr.Invalid("signeeUnitID", fmt.Sprintf("%s is neither a direct child of %s nor an enterprise it supervises: letters are signed level by level", signee.Name, issuer.Name))
}

// liveLetter returns the live (not REVOKED) letter of (year, issuer, signee),
// if any. It reads as the system: the caller acts at the issuer, whose side
// reads every letter the issuer wrote.
func liveLetter(ctx context.Context, c *ent.Client, year, issuerID, signeeID int) (*ent.ResponsibilityLetter, error) {
	l, err := c.ResponsibilityLetter.Query().Where(responsibilityletter.Year(year), responsibilityletter.IssuerUnitID(issuerID),
		responsibilityletter.SigneeUnitID(signeeID), responsibilityletter.Live(true)).Only(authz.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return l, err
}

func conflictWith(l *ent.ResponsibilityLetter) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "signeeUnitID",
		Message: fmt.Sprintf("%s already has a %d letter from %s (%s); revoke it first to write another", l.SigneeName, l.Year, l.IssuerName, l.State)}
}

// CreateInput is what createLetter accepts.
type CreateInput struct {
	Year         int
	IssuerUnitID int
	SigneeUnitID int
	Title        string
	Body         *string
	Targets      []Target
}

// Create writes a DRAFT letter.
func (s *Service) Create(ctx context.Context, in CreateInput) (*ent.ResponsibilityLetter, error) {
	title, err := cleanTitle(in.Title)
	if err != nil {
		return nil, err
	}
	body, err := cleanBody(in.Body)
	if err != nil {
		return nil, err
	}
	targets, err := cleanTargets(in.Targets)
	if err != nil {
		return nil, err
	}
	if err := checkYear(in.Year, s.now()); err != nil {
		return nil, err
	}
	var out *ent.ResponsibilityLetter
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		issuer, err := visibleUnit(ctx, c, in.IssuerUnitID, "issuerUnitID")
		if err != nil {
			return err
		}
		signee, err := visibleUnit(ctx, c, in.SigneeUnitID, "signeeUnitID")
		if err != nil {
			return err
		}
		o, err := objectFor(ctx, c, issuer, signee)
		if err != nil {
			return err
		}
		grants, err := authz.CheckAt(ctx, o, "create", issuer.ID)
		if code := apperr.CodeOf(err); code == apperr.Forbidden || code == apperr.NotFound {
			// Both units are visible, so the refusal is about rights.
			return apperr.Newf(apperr.Forbidden, "only the PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL of %s may write its letters", issuer.Name)
		}
		if err != nil {
			return err
		}
		if err := checkChain(ctx, c, issuer, signee); err != nil {
			return err
		}
		if live, err := liveLetter(ctx, c, in.Year, issuer.ID, signee.ID); err != nil {
			return err
		} else if live != nil {
			return conflictWith(live)
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return err
		}
		l, err := c.ResponsibilityLetter.Create().SetYear(in.Year).SetIssuerUnitID(issuer.ID).SetSigneeUnitID(signee.ID).
			SetIssuerName(issuer.Name).SetSigneeName(signee.Name).SetSigneeKind(signee.Kind).
			SetTitle(title).SetBody(body).SetTargets(targets).SetState(domain.LetterDraft).SetLive(true).
			SetCreatedAt(s.now()).Save(ctx)
		if err != nil {
			return err
		}
		if err := s.record(ctx, c, l, letterevent.ActionCREATED, nil, a, ""); err != nil {
			return err
		}
		out, err = c.ResponsibilityLetter.Get(ctx, l.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// UpdateInput is what updateLetter accepts; nil fields are left unchanged.
type UpdateInput struct {
	Title      *string
	Body       *string
	Targets    []Target
	SetTargets bool
}

// Update edits a DRAFT.
func (s *Service) Update(ctx context.Context, id int, in UpdateInput) (*ent.ResponsibilityLetter, error) {
	var title, body string
	var targets []domain.LetterTarget
	var err error
	if in.Title != nil {
		if title, err = cleanTitle(*in.Title); err != nil {
			return nil, err
		}
	}
	if body, err = cleanBody(in.Body); err != nil {
		return nil, err
	}
	if in.SetTargets {
		if targets, err = cleanTargets(in.Targets); err != nil {
			return nil, err
		}
	}
	return s.transition(ctx, id, "update", func(c *ent.Client, l *ent.ResponsibilityLetter, a actor) (*ent.ResponsibilityLetter, error) {
		if l.State != domain.LetterDraft {
			return nil, apperr.Invalid("id", fmt.Sprintf("only a DRAFT can be edited; this letter is %s", l.State))
		}
		out, err := s.step(ctx, c, l, "update", func(u *ent.ResponsibilityLetterUpdateOne) {
			if in.Title != nil {
				u.SetTitle(title)
			}
			if in.Body != nil {
				u.SetBody(body)
			}
			if in.SetTargets {
				u.SetTargets(targets)
			}
		})
		if err != nil {
			return nil, err
		}
		return out, s.record(ctx, c, out, letterevent.ActionUPDATED, &l.State, a, "")
	})
}

// transition runs one issuer-side step on letter id: load it through the
// caller's scope (NOT_FOUND), decide action for their posts at the issuer
// (FORBIDDEN), then fn, in one transaction. It returns the letter as the
// caller now reads it, or nil when fn returns none (the letter is gone).
func (s *Service) transition(ctx context.Context, id int, action string, fn func(c *ent.Client, l *ent.ResponsibilityLetter, a actor) (*ent.ResponsibilityLetter, error)) (*ent.ResponsibilityLetter, error) {
	var out *ent.ResponsibilityLetter
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		l, err := loadLetter(ctx, c, id)
		if err != nil {
			return err
		}
		o, err := object(ctx, c, l)
		if err != nil {
			return err
		}
		grants, err := issuerSide(ctx, o, action, l)
		if err != nil {
			return err
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return err
		}
		res, err := fn(c, l, a)
		if err != nil || res == nil {
			return err
		}
		out, err = c.ResponsibilityLetter.Get(ctx, l.ID)
		return err
	})
	if err != nil || out == nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Delete discards a DRAFT with its history and attachment rows (the stored
// bytes stay: content is shared by hash and swept separately).
func (s *Service) Delete(ctx context.Context, id int) error {
	_, err := s.transition(ctx, id, "update", func(c *ent.Client, l *ent.ResponsibilityLetter, _ actor) (*ent.ResponsibilityLetter, error) {
		if l.State != domain.LetterDraft {
			return nil, apperr.Invalid("id", fmt.Sprintf("only a DRAFT can be discarded; this letter is %s (revoke an issued letter instead)", l.State))
		}
		sys := authz.SystemContext(ctx)
		if _, err := c.LetterEvent.Delete().Where(letterevent.LetterID(l.ID)).Exec(sys); err != nil {
			return nil, fmt.Errorf("delete events: %w", err)
		}
		if _, err := c.File.Delete().Where(file.LetterID(l.ID)).Exec(sys); err != nil {
			return nil, fmt.Errorf("delete attachments: %w", err)
		}
		n, err := c.ResponsibilityLetter.Delete().Where(responsibilityletter.ID(l.ID), responsibilityletter.Version(l.Version)).Exec(sys)
		if err != nil {
			return nil, fmt.Errorf("delete letter: %w", err)
		}
		if n == 0 {
			return nil, apperr.New(apperr.Conflict, "the letter was changed by someone else meanwhile; reload it and try again")
		}
		return nil, nil
	})
	return err
}

// Issue moves a DRAFT to ISSUED.
func (s *Service) Issue(ctx context.Context, id int) (*ent.ResponsibilityLetter, error) {
	return s.transition(ctx, id, "issue", func(c *ent.Client, l *ent.ResponsibilityLetter, a actor) (*ent.ResponsibilityLetter, error) {
		if l.State != domain.LetterDraft {
			return nil, apperr.Invalid("id", fmt.Sprintf("only a DRAFT can be issued; this letter is %s", l.State))
		}
		if len(l.Targets) == 0 {
			return nil, apperr.Invalid("targets", "add at least one responsibility target before issuing")
		}
		now := s.now()
		out, err := s.step(ctx, c, l, "issue", func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(domain.LetterIssued).SetIssuedAt(now)
		})
		if err != nil {
			return nil, err
		}
		return out, s.record(ctx, c, out, letterevent.ActionISSUED, &l.State, a, "")
	})
}

// Revoke moves an ISSUED or PARTIALLY_SIGNED letter to REVOKED; the
// (year, issuer, signee) slot is free again.
func (s *Service) Revoke(ctx context.Context, id int, reason string) (*ent.ResponsibilityLetter, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, apperr.Invalid("reason", "say why the letter is revoked")
	case utf8.RuneCountInString(reason) > MaxReason:
		return nil, tooLong("reason", MaxReason)
	}
	return s.transition(ctx, id, "revoke", func(c *ent.Client, l *ent.ResponsibilityLetter, a actor) (*ent.ResponsibilityLetter, error) {
		if l.State != domain.LetterIssued && l.State != domain.LetterPartiallySigned {
			return nil, apperr.Invalid("id", fmt.Sprintf("only an ISSUED or PARTIALLY_SIGNED letter can be revoked; this letter is %s", l.State))
		}
		now := s.now()
		out, err := s.step(ctx, c, l, "revoke", func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(domain.LetterRevoked).SetRevokedAt(now).SetRevokeReason(reason).ClearLive()
		})
		if err != nil {
			return nil, err
		}
		return out, s.record(ctx, c, out, letterevent.ActionREVOKED, &l.State, a, reason)
	})
}

// Archive moves a SIGNED letter to ARCHIVED.
func (s *Service) Archive(ctx context.Context, id int) (*ent.ResponsibilityLetter, error) {
	return s.transition(ctx, id, "archive", func(c *ent.Client, l *ent.ResponsibilityLetter, a actor) (*ent.ResponsibilityLetter, error) {
		if l.State != domain.LetterSigned {
			return nil, apperr.Invalid("id", fmt.Sprintf("only a SIGNED letter can be archived; this letter is %s", l.State))
		}
		now := s.now()
		out, err := s.step(ctx, c, l, "archive", func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(domain.LetterArchived).SetArchivedAt(now)
		})
		if err != nil {
			return nil, err
		}
		return out, s.record(ctx, c, out, letterevent.ActionARCHIVED, &l.State, a, "")
	})
}

// signedRoles lists the roles that signed letter id.
func signedRoles(ctx context.Context, c *ent.Client, id int) ([]domain.Role, error) {
	var roles []domain.Role
	sigs, err := c.LetterSignature.Query().Where(lettersignature.LetterID(id)).
		Select(lettersignature.FieldRole).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load signatures: %w", err)
	}
	for _, s := range sigs {
		roles = append(roles, s.Role)
	}
	return roles, nil
}

// Sign signs a letter in one of the caller's posts at the signee unit. A
// government signee's letter is PARTIALLY_SIGNED until both its
// PARTY_SECRETARY and its GOVERNMENT_HEAD signed; one PRINCIPAL signs for an
// enterprise-side unit. postID picks the post when the caller holds several.
func (s *Service) Sign(ctx context.Context, id int, postID *int) (*ent.ResponsibilityLetter, error) {
	var out *ent.ResponsibilityLetter
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		l, err := loadLetter(ctx, c, id)
		if err != nil {
			return err
		}
		o, err := object(ctx, c, l)
		if err != nil {
			return err
		}
		required := RequiredRoles(l.SigneeKind)
		who := "the PRINCIPAL"
		if l.SigneeKind.IsGovernment() {
			who = "the PARTY_SECRETARY and the GOVERNMENT_HEAD"
		}
		grants, err := authz.CheckAt(ctx, o, "sign", l.SigneeUnitID)
		var eligible []authz.Grant
		for _, g := range grants {
			if slices.Contains(required, domain.Role(g.Role)) {
				eligible = append(eligible, g)
			}
		}
		if apperr.CodeOf(err) == apperr.Forbidden || (err == nil && len(eligible) == 0) {
			return apperr.Newf(apperr.Forbidden, "a letter to %s is signed by %s of %s; you hold no such post there", l.SigneeName, who, l.SigneeName)
		}
		if err != nil {
			return err
		}
		switch l.State {
		case domain.LetterIssued, domain.LetterPartiallySigned:
		case domain.LetterDraft:
			return apperr.Invalid("id", "this letter is still a DRAFT: it must be issued before it is signed")
		default:
			return apperr.Invalid("id", fmt.Sprintf("a %s letter cannot be signed", l.State))
		}
		signed, err := signedRoles(ctx, c, l.ID)
		if err != nil {
			return err
		}
		var g *authz.Grant
		for i := range eligible {
			e := eligible[i]
			if postID != nil {
				if e.PostID == *postID {
					g = &e
				}
				continue
			}
			if g == nil && !slices.Contains(signed, domain.Role(e.Role)) {
				g = &e
			}
		}
		switch {
		case g == nil && postID != nil:
			return apperr.Invalid("postID", fmt.Sprintf("you hold no post with this id at %s that signs its letters", l.SigneeName))
		case g == nil:
			return apperr.Invalid("id", fmt.Sprintf("this letter already carries the %s's signature", eligible[0].Role))
		case slices.Contains(signed, domain.Role(g.Role)):
			return apperr.Invalid("id", fmt.Sprintf("this letter already carries the %s's signature", g.Role))
		}
		a, err := actorOf(ctx, c, *g)
		if err != nil {
			return err
		}
		now := s.now()
		if err := NewSignature(c, l, domain.Role(g.Role), now).SetSignerName(a.name).SetSignerTitle(a.title).
			SetNillableUserID(a.userID).SetNillablePostID(a.postID).Exec(authz.SystemContext(ctx)); err != nil {
			return fmt.Errorf("record signature: %w", err)
		}
		next := domain.LetterSigned
		if len(Missing(l.SigneeKind, append(signed, domain.Role(g.Role)))) > 0 {
			next = domain.LetterPartiallySigned
		}
		saved, err := s.step(ctx, c, l, "sign", func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(next)
			if next == domain.LetterSigned {
				u.SetSignedAt(now)
			}
		})
		if err != nil {
			return err
		}
		if err := s.record(ctx, c, saved, letterevent.ActionSIGNED, &l.State, a, ""); err != nil {
			return err
		}
		out, err = c.ResponsibilityLetter.Get(ctx, l.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Attach stores an uploaded file and attaches it to a letter: the issuer side
// while it is a DRAFT, either side once issued (the signee side attaches its
// scanned signed copy), nobody once ARCHIVED or REVOKED.
func (s *Service) Attach(ctx context.Context, id int, up files.Upload, description *string) (*ent.File, error) {
	desc := ""
	if description != nil {
		desc = strings.TrimSpace(*description)
		if utf8.RuneCountInString(desc) > MaxDescription {
			return nil, tooLong("description", MaxDescription)
		}
	}
	var out *ent.File
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		l, err := loadLetter(ctx, c, id)
		if err != nil {
			return err
		}
		o, err := object(ctx, c, l)
		if err != nil {
			return err
		}
		grants, err := authz.CheckAt(ctx, o, "attach", l.IssuerUnitID)
		if apperr.CodeOf(err) == apperr.Forbidden && l.State != domain.LetterDraft {
			grants, err = authz.CheckAt(ctx, o, "attach", l.SigneeUnitID)
		}
		if apperr.CodeOf(err) == apperr.Forbidden {
			return apperr.Newf(apperr.Forbidden, "files are attached by the heads of %s or, once issued, of %s", l.IssuerName, l.SigneeName)
		}
		if err != nil {
			return err
		}
		if l.State == domain.LetterArchived || l.State == domain.LetterRevoked {
			return apperr.Invalid("letterID", fmt.Sprintf("a %s letter takes no more attachments", l.State))
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return err
		}
		f, err := s.Files.Attach(ctx, c, files.Owner{
			Tenant: l.TenantID, Path: l.ScopePath, Sector: l.ScopeSector, EnterpriseID: l.ScopeEnterpriseID,
			IssuerPath: l.IssuerScopePath, Link: func(fc *ent.FileCreate) { fc.SetLetterID(l.ID) },
		}, up, desc, files.Uploader{Name: a.name, UserID: a.userID, PostID: a.postID})
		if err != nil {
			return err
		}
		if err := s.record(ctx, c, l, letterevent.ActionATTACHED, &l.State, a, f.Filename); err != nil {
			return err
		}
		out, err = c.File.Get(ctx, f.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// BulkInput is what bulkIssueLetters accepts.
type BulkInput struct {
	Year         int
	IssuerUnitID int
	// Supervised selects the enterprises the issuing department supervises
	// rather than its children.
	Supervised bool
	Kinds      []domain.UnitKind
	Sectors    []domain.Sector
	Title      string
	Body       *string
	Targets    []Target
}

// BulkResult is what a bulk issue did.
type BulkResult struct {
	Created []*ent.ResponsibilityLetter
	Skipped []BulkSkip
}

// BulkSkip is a signee skipped by a bulk issue and its live letter.
type BulkSkip struct {
	Signee *ent.Unit
	Letter *ent.ResponsibilityLetter
}

// BulkIssue issues one letter from a template to every child of the issuer
// (or every enterprise the issuing department supervises) that has no live
// letter from it for the year, all in one transaction: either every letter
// is created and ISSUED, or nothing is written.
func (s *Service) BulkIssue(ctx context.Context, in BulkInput) (*BulkResult, error) {
	title, err := cleanTitle(in.Title)
	if err != nil {
		return nil, err
	}
	body, err := cleanBody(in.Body)
	if err != nil {
		return nil, err
	}
	targets, err := cleanTargets(in.Targets)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, apperr.Invalid("targets", "the template needs at least one responsibility target")
	}
	if err := checkYear(in.Year, s.now()); err != nil {
		return nil, err
	}
	res := &BulkResult{Created: []*ent.ResponsibilityLetter{}, Skipped: []BulkSkip{}}
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		sys := authz.SystemContext(ctx)
		issuer, err := visibleUnit(ctx, c, in.IssuerUnitID, "issuerUnitID")
		if err != nil {
			return err
		}
		// The right to issue from the issuer at all: a letter whose signee
		// sits at the issuer's own place. Each letter is decided again below.
		self := authz.Object{Type: "letter", Tenant: issuer.TenantID, Path: issuer.ScopePath, IssuerPath: issuer.ScopePath}
		if issuer.ScopeSector != nil {
			self.Sector = domain.Sector(*issuer.ScopeSector)
		}
		if issuer.ScopeEnterpriseID != nil {
			self.EnterpriseID = *issuer.ScopeEnterpriseID
		}
		grants, err := authz.CheckAt(ctx, self, "issue", issuer.ID)
		if code := apperr.CodeOf(err); code == apperr.Forbidden || code == apperr.NotFound {
			return apperr.Newf(apperr.Forbidden, "only the PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL of %s may issue its letters", issuer.Name)
		}
		if err != nil {
			return err
		}
		q := c.Unit.Query()
		if in.Supervised {
			if issuer.Kind != domain.KindDepartment {
				return apperr.Invalid("to", fmt.Sprintf("%s is a %s: only a DEPARTMENT supervises enterprises", issuer.Name, issuer.Kind))
			}
			ids, err := c.Supervision.Query().Where(supervision.DepartmentID(issuer.ID)).Select(supervision.FieldEnterpriseID).Ints(sys)
			if err != nil {
				return fmt.Errorf("list supervised enterprises: %w", err)
			}
			q.Where(unit.IDIn(ids...))
		} else {
			q.Where(unit.ParentID(issuer.ID))
		}
		if len(in.Kinds) > 0 {
			q.Where(unit.KindIn(in.Kinds...))
		}
		if len(in.Sectors) > 0 {
			q.Where(unit.Or(unit.SectorIsNil(), unit.SectorIn(in.Sectors...)))
		}
		// Read through the caller's scope: a signee they cannot see is not
		// offered (and would be refused by the hook).
		signees, err := q.Order(ent.Asc(unit.FieldScopePath)).All(ctx)
		if err != nil {
			return fmt.Errorf("list signees: %w", err)
		}
		ids := make([]int, len(signees))
		for i, u := range signees {
			ids[i] = u.ID
		}
		existing, err := c.ResponsibilityLetter.Query().Where(responsibilityletter.Year(in.Year),
			responsibilityletter.IssuerUnitID(issuer.ID), responsibilityletter.SigneeUnitIDIn(ids...),
			responsibilityletter.Live(true)).All(ctx)
		if err != nil {
			return fmt.Errorf("list existing letters: %w", err)
		}
		have := map[int]*ent.ResponsibilityLetter{}
		for _, l := range existing {
			have[l.SigneeUnitID] = l
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return err
		}
		now := s.now()
		issueCtx := authz.WithAction(ctx, "issue")
		for _, u := range signees {
			if l, ok := have[u.ID]; ok {
				res.Skipped = append(res.Skipped, BulkSkip{Signee: u, Letter: l})
				continue
			}
			l, err := c.ResponsibilityLetter.Create().SetYear(in.Year).SetIssuerUnitID(issuer.ID).SetSigneeUnitID(u.ID).
				SetIssuerName(issuer.Name).SetSigneeName(u.Name).SetSigneeKind(u.Kind).
				SetTitle(title).SetBody(body).SetTargets(targets).SetState(domain.LetterIssued).SetIssuedAt(now).
				SetLive(true).SetCreatedAt(now).Save(issueCtx)
			if err != nil {
				return err
			}
			draft := domain.LetterDraft
			l.State = draft
			if err := s.record(ctx, c, l, letterevent.ActionCREATED, nil, a, "bulk issue"); err != nil {
				return err
			}
			l.State = domain.LetterIssued
			if err := s.record(ctx, c, l, letterevent.ActionISSUED, &draft, a, "bulk issue"); err != nil {
				return err
			}
			res.Created = append(res.Created, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, l := range res.Created {
		res.Created[i] = l.Unwrap()
	}
	for i, sk := range res.Skipped {
		res.Skipped[i] = BulkSkip{Signee: sk.Signee.Unwrap(), Letter: sk.Letter.Unwrap()}
	}
	return res, nil
}
