package staffing

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// CertificateInput is a certificate to record.
type CertificateInput struct {
	UnitID     int
	UserID     *int
	HolderName string
	Kind       domain.CertificateKind
	Number     string
	Issuer     string
	IssuedOn   time.Time
	ValidUntil time.Time
}

func (in *CertificateInput) validate() error {
	var p kernel.Problems
	for _, err := range []error{
		clean("holderName", &in.HolderName, MaxName, true),
		clean("number", &in.Number, MaxName, true),
		clean("issuer", &in.Issuer, MaxName, true),
		checkDate("issuedOn", in.IssuedOn),
		checkDate("validUntil", in.ValidUntil),
	} {
		p.Add(err)
	}
	p.Add(checkValidity(in.IssuedOn, in.ValidUntil))
	return p.Err()
}

// checkValidity requires the last valid day after the day of issue.
func checkValidity(issued, validUntil time.Time) error {
	if !validUntil.After(issued) {
		return apperr.Invalid("validUntil", "a certificate is valid until a day after it was issued")
	}
	return nil
}

// duplicate refuses a number already recorded for the kind and issuer in
// the tenant (except the certificate except).
func duplicate(ctx context.Context, c *ent.Client, tenant int, kind domain.CertificateKind, issuer, number string, except int) error {
	taken, err := c.Certificate.Query().Where(certificate.TenantID(tenant), certificate.KindEQ(kind),
		certificate.Issuer(issuer), certificate.Number(number), certificate.IDNEQ(except)).Exist(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("look up certificate number: %w", err)
	}
	if taken {
		return duplicateErr(kind, issuer, number)
	}
	return nil
}

func duplicateErr(kind domain.CertificateKind, issuer, number string) error {
	return kernel.Invalidf("number", "a %s certificate numbered %s by %s is already recorded", kind, number, issuer)
}

// decide is the scope hook's decision on a certificate with the given
// scope columns, taken before the input is checked against other rows, so
// that a caller who may not act learns nothing of them.
func decide(ctx context.Context, c *ent.Client, action string, tenant int, path string, sector *string, enterpriseID *int) error {
	o, err := authz.ObjectAt(ctx, c, "certificate", tenant, path, sector, enterpriseID)
	if err != nil {
		return err
	}
	return authz.Check(ctx, o, action)
}

// RecordCertificate records a certificate of a person working at an
// enterprise-side unit. Who may is the scope hook's decision (create): the
// enterprise's own posts, or a government's over it.
func (s *Service) RecordCertificate(ctx context.Context, in CertificateInput) (*ent.Certificate, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Certificate, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if err := decide(ctx, c, "create", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID); err != nil {
			return nil, err
		}
		if u.Kind.IsGovernment() {
			return nil, apperr.Invalid("unitID", "certificates are recorded for enterprise-side units (enterprise, workshop or team)")
		}
		if in.UserID != nil {
			if _, err := kernel.Load(ctx, c.User.Get, *in.UserID, "user", "userID"); err != nil {
				return nil, err
			}
		}
		if err := duplicate(ctx, c, u.TenantID, in.Kind, in.Issuer, in.Number, 0); err != nil {
			return nil, err
		}
		cert, err := c.Certificate.Create().SetUnitID(u.ID).SetNillableUserID(in.UserID).SetHolderName(in.HolderName).
			SetKind(in.Kind).SetNumber(in.Number).SetIssuer(in.Issuer).SetIssuedOn(in.IssuedOn).SetValidUntil(in.ValidUntil).Save(ctx)
		if ent.IsConstraintError(err) {
			return nil, duplicateErr(in.Kind, in.Issuer, in.Number)
		}
		if err != nil {
			return nil, err
		}
		return c.Certificate.Get(ctx, cert.ID)
	})
}

// CertificateChange corrects or renews a certificate; nil fields keep
// their value.
type CertificateChange struct {
	ID                         int
	HolderName, Number, Issuer *string
	IssuedOn, ValidUntil       *time.Time
}

func (ch *CertificateChange) validate() error {
	var p kernel.Problems
	for field, s := range map[string]*string{"holderName": ch.HolderName, "number": ch.Number, "issuer": ch.Issuer} {
		if s != nil {
			p.Add(clean(field, s, MaxName, true))
		}
	}
	for field, t := range map[string]*time.Time{"issuedOn": ch.IssuedOn, "validUntil": ch.ValidUntil} {
		if t != nil {
			p.Add(checkDate(field, *t))
		}
	}
	return p.Err()
}

// UpdateCertificate corrects or renews a certificate, decided by the scope
// hook (update) like its recording.
func (s *Service) UpdateCertificate(ctx context.Context, ch CertificateChange) (*ent.Certificate, error) {
	if err := ch.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Certificate, error) {
		cert, err := kernel.Load(ctx, c.Certificate.Get, ch.ID, "certificate", "id")
		if err != nil {
			return nil, err
		}
		if err := decide(ctx, c, "update", cert.TenantID, cert.ScopePath, cert.ScopeSector, cert.ScopeEnterpriseID); err != nil {
			return nil, err
		}
		number, issuer := pick(ch.Number, cert.Number), pick(ch.Issuer, cert.Issuer)
		issued, until := pick(ch.IssuedOn, cert.IssuedOn), pick(ch.ValidUntil, cert.ValidUntil)
		if err := checkValidity(issued, until); err != nil {
			return nil, err
		}
		if err := duplicate(ctx, c, cert.TenantID, cert.Kind, issuer, number, cert.ID); err != nil {
			return nil, err
		}
		err = c.Certificate.UpdateOneID(cert.ID).SetHolderName(pick(ch.HolderName, cert.HolderName)).
			SetNumber(number).SetIssuer(issuer).SetIssuedOn(issued).SetValidUntil(until).Exec(ctx)
		if ent.IsConstraintError(err) {
			return nil, duplicateErr(cert.Kind, issuer, number)
		}
		if err != nil {
			return nil, err
		}
		return c.Certificate.Get(ctx, cert.ID)
	})
}

func pick[T any](p *T, keep T) T {
	if p != nil {
		return *p
	}
	return keep
}
