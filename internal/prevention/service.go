// Package prevention runs risk grading and control (风险分级管控), the first
// half of dual prevention (双重预防): an enterprise-side unit identifies its
// risk points (key locations and processes), grades each by likelihood ×
// severity into four colours (grading.go), sets control measures with a
// responsible post and a check frequency, records their checks and
// regrades them, keeping every grading. Every write validates, decides
// through authz (authz.EnterpriseAct: the enterprise side only) and runs in
// one transaction. The county's risk map is riskmap.go. See docs/DOMAIN.md.
package prevention

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits, in characters and items.
const (
	MaxName     = 100
	MaxText     = 2000
	MaxMeasures = 50
)

// Service performs the risk point mutations and answers the risk map.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}

// MeasureInput is one control measure of a risk point.
type MeasureInput struct {
	Description     string
	ResponsiblePost string
	Frequency       domain.CheckFrequency
}

// IdentifyInput is a risk point to identify and grade.
type IdentifyInput struct {
	UnitID        int
	Name          string
	Kind          domain.RiskPointKind
	HazardSources string
	Likelihood    int
	Severity      int
	Reason        string
	Measures      []MeasureInput
}

// RegradeInput grades a risk point again, decided from the level FromLevel
// the caller saw.
type RegradeInput struct {
	RiskPointID int
	FromLevel   domain.RiskLevel
	Likelihood  int
	Severity    int
	Reason      string
}

// clean trims s and records a problem when it is longer than max characters
// or, when required, empty.
func clean(p *kernel.Problems, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	if !p.Check(required && *s == "", field, "must not be empty") {
		p.Check(utf8.RuneCountInString(*s) > max, field, "must be at most %d characters", max)
	}
}

// checkScale records a problem when likelihood or severity is outside 1–5.
func checkScale(p *kernel.Problems, likelihood, severity int) {
	p.Check(likelihood < 1 || likelihood > 5, "likelihood", "must be between 1 and 5")
	p.Check(severity < 1 || severity > 5, "severity", "must be between 1 and 5")
}

func (in *IdentifyInput) validate() error {
	var p kernel.Problems
	clean(&p, "name", &in.Name, MaxName, true)
	clean(&p, "hazardSources", &in.HazardSources, MaxText, false)
	clean(&p, "reason", &in.Reason, MaxText, false)
	p.Check(in.Kind != domain.RiskLocation && in.Kind != domain.RiskProcess, "kind", "unknown kind %q", in.Kind)
	checkScale(&p, in.Likelihood, in.Severity)
	p.Check(len(in.Measures) > MaxMeasures, "controlMeasures", "a risk point has at most %d control measures", MaxMeasures)
	for i := range in.Measures {
		m := &in.Measures[i]
		clean(&p, "controlMeasures.description", &m.Description, MaxText, true)
		clean(&p, "controlMeasures.responsiblePost", &m.ResponsiblePost, MaxName, true)
		p.Check(!validFrequency(m.Frequency), "controlMeasures.frequency", "unknown frequency %q", m.Frequency)
	}
	return p.Err()
}

func (in *RegradeInput) validate() error {
	var p kernel.Problems
	clean(&p, "reason", &in.Reason, MaxText, true)
	checkScale(&p, in.Likelihood, in.Severity)
	return p.Err()
}

func validFrequency(f domain.CheckFrequency) bool {
	for _, v := range f.Values() {
		if string(f) == v {
			return true
		}
	}
	return false
}

// objectOf is the decision object of risk point rp.
func objectOf(ctx context.Context, c *ent.Client, rp *ent.RiskPoint) (authz.Object, error) {
	return authz.ObjectAt(ctx, c, "risk_point", rp.TenantID, rp.ScopePath, rp.ScopeSector, rp.ScopeEnterpriseID)
}

// actor is who acts, for the record: the caller in post g (nil: the system).
type actor struct {
	name           string
	userID, postID *int
}

func actorOf(ctx context.Context, c *ent.Client, g *authz.Grant) (actor, error) {
	if g == nil {
		return actor{name: "系统"}, nil
	}
	p, err := c.Post.Query().Where(post.ID(g.PostID)).WithUser().Only(authz.SystemContext(ctx))
	if err != nil {
		return actor{}, fmt.Errorf("load post %d: %w", g.PostID, err)
	}
	a := actor{userID: &p.UserID, postID: &p.ID}
	if p.Edges.User != nil {
		a.name = p.Edges.User.DisplayName
	}
	return a, nil
}
