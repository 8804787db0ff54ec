package summary

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/ent/drill"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/groupmember"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/leadershipgroup"
	"github.com/dutychain/dutychain/ent/meeting"
	"github.com/dutychain/dutychain/ent/notice"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/publicity"
	"github.com/dutychain/dutychain/ent/publicityvisit"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/training"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/emergency"
)

// counter gathers the figures of one summary. Every query carries the
// caller's viewer (ent privacy adds the jurisdiction predicate) and the
// unit's subtree, so a town head's summary counts only their town.
type counter struct {
	svc *Service
	ctx context.Context
	// directory is ctx with the caller's whole viewer, to list units.
	directory context.Context
	unit      *ent.Unit
	year      int
	zone      *time.Location
	// byPath narrows the enterprise-side records (enterprises,
	// inspections, hazards, drills, certificates) to the unit's subtree;
	// false for a department, whose jurisdiction is its supervision.
	byPath   bool
	from, to time.Time

	figures []Figure
	charts  []Chart
	// Texts the paragraphs quote: titles, names, examples.
	groupLeads      []string
	workPlan        string
	noticeTitles    []string
	aboveScaleNames []string
	hazardExamples  []string
}

func (c *counter) add(key, label string, value int, source string) {
	c.figures = append(c.figures, Figure{Key: key, Label: label, Value: value,
		Source: fmt.Sprintf("%s; %d, under %s (%s), readable by the caller", source, c.year, c.unit.Name, c.unit.ScopePath)})
}

// value is the figure key gathered so far.
func (c *counter) value(key string) int {
	for _, f := range c.figures {
		if f.Key == key {
			return f.Value
		}
	}
	return 0
}

// collect runs the queries, part by part; the first error stops it.
func (c *counter) collect() error {
	for _, step := range []func() error{c.leadership, c.enterprises, c.inspections, c.hazards, c.education, c.readiness, c.monthly, c.towns} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// leadership counts part 一: groups, the work plan, letters signed.
func (c *counter) leadership() error {
	ctx, p := c.ctx, c.unit.ScopePath
	client := c.svc.Client
	groups, err := client.LeadershipGroup.Query().Where(leadershipgroup.ScopePathHasPrefix(p),
		leadershipgroup.EstablishedOnLT(c.to)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count leadership groups: %w", err)
	}
	c.add("leadershipGroups", "安全生产领导机构（个）", groups, "leadership groups established before the year ended")
	own, err := client.LeadershipGroup.Query().Where(leadershipgroup.UnitID(c.unit.ID), leadershipgroup.EstablishedOnLT(c.to)).
		WithMembers(func(q *ent.GroupMemberQuery) {
			q.Where(groupmember.RoleIn(domain.GroupLeader, domain.GroupDeputyLeader)).Order(ent.Asc(groupmember.FieldRole), ent.Asc(groupmember.FieldID))
		}).Order(ent.Asc(leadershipgroup.FieldEstablishedOn), ent.Asc(leadershipgroup.FieldID)).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("read the unit's leadership group: %w", err)
	}
	if own != nil {
		for _, role := range []domain.GroupRole{domain.GroupLeader, domain.GroupDeputyLeader} {
			for _, m := range own.Edges.Members {
				if m.Role == role {
					c.groupLeads = append(c.groupLeads, m.Title)
				}
			}
		}
	}
	plan, err := client.Notice.Query().Where(notice.ScopePathHasPrefix(p), notice.YearEQ(c.year), notice.KindEQ(domain.NoticeWorkPlan)).
		Order(ent.Asc(notice.FieldIssuedOn), ent.Asc(notice.FieldID)).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("read the work plan: %w", err)
	}
	if plan != nil {
		c.workPlan = plan.Title
	}
	letters := client.ResponsibilityLetter.Query().Where(responsibilityletter.IssuerScopePathHasPrefix(p),
		responsibilityletter.YearEQ(c.year), responsibilityletter.StateNotIn(domain.LetterDraft, domain.LetterRevoked))
	issued, err := letters.Clone().Count(ctx)
	if err != nil {
		return fmt.Errorf("count letters: %w", err)
	}
	signed, err := letters.Clone().Where(responsibilityletter.StateIn(domain.LetterSigned, domain.LetterArchived)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count signed letters: %w", err)
	}
	inner, err := letters.Clone().Where(responsibilityletter.SigneeKindIn(domain.KindWorkshop, domain.KindTeam)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count workshop letters: %w", err)
	}
	c.add("lettersIssued", "签订责任书（份）", issued, "responsibility letters of the year issued from the unit or below, not draft or revoked")
	c.add("lettersSigned", "已签订责任书（份）", signed, "those letters signed or archived")
	c.add("lettersWithinEnterprises", "企业内部责任书（份）", inner, "those letters signed by workshops and teams")
	return nil
}

// enterprises counts the directory the other parts measure against.
func (c *counter) enterprises() error {
	ctx, q := c.ctx, c.svc.Client.Enterprise.Query().Where(enterprise.ScopePathHasPrefix(c.entPath()))
	for _, f := range []struct {
		key, label, source string
		pred               []predicate.Enterprise
	}{
		{key: "enterprises", label: "企业（家）", source: "enterprises in the directory"},
		{key: "aboveScaleIndustry", label: "规上工业企业（户）", source: "enterprises of scale ABOVE_SCALE_INDUSTRY", pred: []predicate.Enterprise{enterprise.ScaleEQ(enterprise.ScaleABOVE_SCALE_INDUSTRY)}},
		{key: "aboveQuotaCommerce", label: "限上商贸企业（户）", source: "enterprises of scale ABOVE_QUOTA_COMMERCE", pred: []predicate.Enterprise{enterprise.ScaleEQ(enterprise.ScaleABOVE_QUOTA_COMMERCE)}},
		{key: "fuelStations", label: "加油站（户）", source: "enterprises of sector FUEL", pred: []predicate.Enterprise{enterprise.SectorEQ(domain.SectorFuel)}},
	} {
		n, err := q.Clone().Where(f.pred...).Count(ctx)
		if err != nil {
			return fmt.Errorf("count %s: %w", f.key, err)
		}
		c.add(f.key, f.label, n, f.source)
	}
	names, err := q.Clone().Where(enterprise.ScaleEQ(enterprise.ScaleABOVE_SCALE_INDUSTRY)).
		Order(ent.Asc(enterprise.FieldName)).Limit(8).Select(enterprise.FieldName).Strings(ctx)
	if err != nil {
		return fmt.Errorf("name above-scale enterprises: %w", err)
	}
	c.aboveScaleNames = names
	return nil
}

// inspections counts part 二's inspections and meetings.
func (c *counter) inspections() error {
	ctx, client, p := c.ctx, c.svc.Client, c.unit.ScopePath
	done := client.Inspection.Query().Where(inspection.ScopePathHasPrefix(c.entPath()), inspection.StatusEQ(inspection.StatusDONE),
		inspection.InspectedOnGTE(c.from), inspection.InspectedOnLT(c.to))
	n, err := done.Clone().Count(ctx)
	if err != nil {
		return fmt.Errorf("count inspections: %w", err)
	}
	c.add("inspections", "检查（次）", n, "inspections done in the year of enterprises under the unit")
	targets, err := done.Clone().Unique(true).Select(inspection.FieldTargetID).Count(ctx)
	if err != nil {
		return fmt.Errorf("count inspected enterprises: %w", err)
	}
	c.add("enterprisesInspected", "检查企业（家）", targets, "distinct targets of those inspections")
	keyPeriod, err := done.Clone().Where(inspection.TypeEQ(inspection.TypeKEY_PERIOD)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count key-period inspections: %w", err)
	}
	c.add("keyPeriodInspections", "重要时段检查（次）", keyPeriod, "those inspections of type KEY_PERIOD")
	meetings, err := client.Meeting.Query().Where(meeting.ScopePathHasPrefix(p), meeting.HeldOnGTE(c.from), meeting.HeldOnLT(c.to)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count meetings: %w", err)
	}
	c.add("meetings", "专项工作会议（次）", meetings, "meetings held in the year by the unit or below")
	notices := client.Notice.Query().Where(notice.ScopePathHasPrefix(p), notice.YearEQ(c.year), notice.KindEQ(domain.NoticeNotice))
	count, err := notices.Clone().Count(ctx)
	if err != nil {
		return fmt.Errorf("count notices: %w", err)
	}
	c.add("notices", "印发通知（份）", count, "notices (kind NOTICE) of the year issued by the unit or below")
	titles, err := notices.Clone().Order(ent.Asc(notice.FieldIssuedOn), ent.Asc(notice.FieldID)).Limit(3).Select(notice.FieldTitle).Strings(ctx)
	if err != nil {
		return fmt.Errorf("read notice titles: %w", err)
	}
	c.noticeTitles = titles
	// The year's notices by id, read through the caller's scope: a Has…With
	// predicate would run its EXISTS without the scope filter.
	yearNotices, err := client.Notice.Query().Where(notice.ScopePathHasPrefix(p), notice.YearEQ(c.year)).IDs(ctx)
	if err != nil {
		return fmt.Errorf("list the year's notices: %w", err)
	}
	receipts := client.NoticeReceipt.Query().Where(noticereceipt.IssuerScopePathHasPrefix(p), noticereceipt.NoticeIDIn(yearNotices...))
	total, err := receipts.Clone().Count(ctx)
	if err != nil {
		return fmt.Errorf("count receipts: %w", err)
	}
	late, err := receipts.Clone().Where(noticereceipt.ReceivedAtIsNil(), noticereceipt.DueAtLT(c.until())).Count(ctx)
	if err != nil {
		return fmt.Errorf("count overdue receipts: %w", err)
	}
	c.add("noticeReceipts", "通知签收（份）", total, "receipts of the year's notices issued by the unit or below")
	c.add("noticeReceiptsOverdue", "逾期未签收（份）", late, "those receipts not signed for and past due")
	return nil
}

// entPath is the path prefix of the enterprise-side records: the unit's
// subtree, or the whole tenant for a department, whose viewer already
// holds only its supervision.
func (c *counter) entPath() string {
	if c.byPath {
		return c.unit.ScopePath
	}
	return "/"
}

// DrillRuleSectors are the sectors whose enterprises the drill problem
// counts: the industrial enterprises whose plans and drills the county
// files (an industrial safety summary; shops and stations file theirs
// with their own departments).
var DrillRuleSectors = []domain.Sector{domain.SectorIndustry, domain.SectorChemicals}

// until is the end of the year, or now when the year is still running.
func (c *counter) until() time.Time {
	if now := c.svc.now(); now.Before(c.to) {
		return now
	}
	return c.to
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// hazards counts part 二's hazards and quotes three of them.
func (c *counter) hazards() error {
	ctx := c.ctx
	found := c.svc.Client.Hazard.Query().Where(hazard.ScopePathHasPrefix(c.entPath()), hazard.FoundAtGTE(c.from), hazard.FoundAtLT(c.to))
	for _, f := range []struct {
		key, label, source string
		pred               []predicate.Hazard
	}{
		{"hazardsFound", "排查安全隐患和问题（个）", "hazards found in the year at enterprises under the unit", nil},
		{"hazardsClosed", "已整改销号（个）", "those hazards CLOSED", []predicate.Hazard{hazard.StateEQ(domain.HazardClosed)}},
		{"majorHazards", "重大隐患（个）", "those hazards of level MAJOR", []predicate.Hazard{hazard.LevelEQ(domain.LevelMajor)}},
		{"hazardsOverdue", "逾期未整改（个）", "those hazards not closed and past their deadline", []predicate.Hazard{hazard.StateNEQ(domain.HazardClosed), hazard.DeadlineLT(c.until())}},
	} {
		n, err := found.Clone().Where(f.pred...).Count(ctx)
		if err != nil {
			return fmt.Errorf("count %s: %w", f.key, err)
		}
		c.add(f.key, f.label, n, f.source)
	}
	overdueAt, err := found.Clone().Where(hazard.StateNEQ(domain.HazardClosed), hazard.DeadlineLT(c.until())).
		Unique(true).Select(hazard.FieldSubjectID).Count(ctx)
	if err != nil {
		return fmt.Errorf("count enterprises with overdue hazards: %w", err)
	}
	c.add("enterprisesWithOverdueHazards", "有逾期隐患的企业（家）", overdueAt, "distinct enterprises of the overdue hazards")
	examples, err := found.Clone().WithSubject(func(q *ent.UnitQuery) { q.Select(unit.FieldName) }).
		Order(ent.Desc(hazard.FieldLevel), ent.Asc(hazard.FieldFoundAt), ent.Asc(hazard.FieldID)).Limit(3).All(ctx)
	if err != nil {
		return fmt.Errorf("read example hazards: %w", err)
	}
	for _, h := range examples {
		where := ""
		if h.Edges.Subject != nil {
			where = h.Edges.Subject.Name
		}
		c.hazardExamples = append(c.hazardExamples, where+h.Description)
	}
	return nil
}

// education counts part 三: publicity, trainings, certificates.
func (c *counter) education() error {
	ctx, client, p := c.ctx, c.svc.Client, c.unit.ScopePath
	acts := client.Publicity.Query().Where(publicity.ScopePathHasPrefix(p), publicity.HeldOnGTE(c.from), publicity.HeldOnLT(c.to))
	var sums []struct {
		N         int `json:"n"`
		Materials int `json:"materials"`
	}
	if err := acts.Clone().Aggregate(ent.As(ent.Count(), "n"), ent.As(ent.Sum(publicity.FieldMaterials), "materials")).Scan(ctx, &sums); err != nil {
		return fmt.Errorf("sum publicity: %w", err)
	}
	// By the activities' ids, read through the caller's scope (see inspections).
	actIDs, err := acts.Clone().IDs(ctx)
	if err != nil {
		return fmt.Errorf("list publicity activities: %w", err)
	}
	// A visit carries its activity's scope, not its enterprise's: only the
	// enterprises the caller reads are counted.
	visited, err := client.PublicityVisit.Query().Where(publicityvisit.PublicityIDIn(actIDs...),
		education.ReadableEnterprise(ctx, publicityvisit.FieldEnterpriseUnitID)).
		Unique(true).Select(publicityvisit.FieldEnterpriseUnitID).Count(ctx)
	if err != nil {
		return fmt.Errorf("count visited enterprises: %w", err)
	}
	activities, materials := 0, 0
	if len(sums) == 1 {
		activities, materials = sums[0].N, sums[0].Materials
	}
	c.add("publicityActivities", "宣传活动（次）", activities, "publicity activities held in the year by the unit or below")
	c.add("enterprisesVisited", "入企宣传（家）", visited, "distinct enterprises visited by those activities")
	c.add("materials", "发放宣传资料（份）", materials, "materials handed out in those activities")
	// The trainees the caller reads: the stored counts of the trainings
	// whose trainees it reads whole, the others' counted through its scope
	// (education.TraineesRead; as traineeCount and the trainings ledger).
	ts, err := client.Training.Query().Where(training.ScopePathHasPrefix(p), training.YearEQ(c.year)).
		Select(training.FieldScopePath, training.FieldTraineeCount).All(ctx)
	if err != nil {
		return fmt.Errorf("list trainings: %w", err)
	}
	read, err := education.TraineesRead(ctx, client, ts)
	if err != nil {
		return fmt.Errorf("count trainees: %w", err)
	}
	n, trainees := len(ts), 0
	for _, t := range ts {
		trainees += read[t.ID]
	}
	c.add("trainings", "集中培训（期）", n, "trainings of the year organised by the unit or below")
	c.add("trainees", "培训人次", trainees, "trainees of those trainings")
	expired, err := client.Certificate.Query().Where(certificate.ScopePathHasPrefix(c.entPath()), certificate.ValidUntilGTE(c.from),
		certificate.ValidUntilLT(c.until())).Count(ctx)
	if err != nil {
		return fmt.Errorf("count expired certificates: %w", err)
	}
	c.add("certificatesExpired", "年内到期未换证（本）", expired, "certificates of enterprises under the unit whose validity ended in the year")
	return nil
}

// readiness counts drills and the enterprises behind the drill rule,
// through the drill-compliance view itself.
func (c *counter) readiness() error {
	ctx := c.ctx
	drills, err := c.svc.Client.Drill.Query().Where(drill.ScopePathHasPrefix(c.entPath()), drill.HeldOnGTE(c.from), drill.HeldOnLT(c.to)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count drills: %w", err)
	}
	c.add("drills", "应急演练（次）", drills, "drills held in the year by enterprises under the unit")
	in := emergency.ComplianceInput{Year: c.year, Sectors: DrillRuleSectors, First: 1,
		Statuses: []domain.DrillComplianceStatus{domain.DrillBehind, domain.DrillNone}}
	if c.byPath {
		in.UnitID = &c.unit.ID
	}
	behind, err := c.svc.Emergency.Compliance(ctx, in)
	if err != nil {
		return fmt.Errorf("drill compliance: %w", err)
	}
	c.add("enterprisesBehindDrills", "演练次数不足的企业（家）", behind.TotalCount, "drillCompliance: industrial enterprises (sectors INDUSTRY, CHEMICALS) BEHIND or NONE")
	return nil
}

// monthly draws hazards found and inspections done per month of the year,
// counted month by month so each bar follows the zone's calendar.
func (c *counter) monthly() error {
	ctx, p := c.ctx, c.entPath()
	hz := Chart{Key: "hazardsByMonth", Title: "各月排查隐患（个）"}
	in := Chart{Key: "inspectionsByMonth", Title: "各月检查（次）"}
	for m := 1; m <= 12; m++ {
		from := time.Date(c.year, time.Month(m), 1, 0, 0, 0, 0, c.zone)
		to := from.AddDate(0, 1, 0)
		h, err := c.svc.Client.Hazard.Query().Where(hazard.ScopePathHasPrefix(p), hazard.FoundAtGTE(from), hazard.FoundAtLT(to)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count hazards of month %d: %w", m, err)
		}
		i, err := c.svc.Client.Inspection.Query().Where(inspection.ScopePathHasPrefix(p), inspection.StatusEQ(inspection.StatusDONE),
			inspection.InspectedOnGTE(from), inspection.InspectedOnLT(to)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count inspections of month %d: %w", m, err)
		}
		label := fmt.Sprintf("%d月", m)
		hz.Points = append(hz.Points, Point{label, h})
		in.Points = append(in.Points, Point{label, i})
	}
	c.charts = append(c.charts, hz, in)
	return nil
}

// towns draws hazards found per unit directly below (towns of a county;
// for a department, the towns of its county).
func (c *counter) towns() error {
	ctx := c.ctx
	parent := c.unit.ID
	if !c.byPath && c.unit.ParentID != nil {
		parent = *c.unit.ParentID
	}
	// Listed with the caller's directory: a department's own posts do not
	// cover the towns, its supervision inside them does.
	below, err := c.svc.Client.Unit.Query().Where(unit.ParentID(parent), unit.KindIn(domain.KindTown, domain.KindEnterprise)).
		Order(ent.Asc(unit.FieldName), ent.Asc(unit.FieldID)).All(c.directory)
	if err != nil {
		return fmt.Errorf("list the units below: %w", err)
	}
	ch := Chart{Key: "hazardsByTown", Title: "各镇（街）排查隐患（个）"}
	for _, u := range below {
		n, err := c.svc.Client.Hazard.Query().Where(hazard.ScopePathHasPrefix(u.ScopePath), hazard.FoundAtGTE(c.from), hazard.FoundAtLT(c.to)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count hazards of %s: %w", u.Name, err)
		}
		ch.Points = append(ch.Points, Point{u.Name, n})
	}
	if len(ch.Points) > 0 {
		c.charts = append(c.charts, ch)
	}
	return nil
}
