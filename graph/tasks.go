package graph

// myTasks: the candidates of internal/tasks, kept when the caller's
// allowedActions on them (the resolvers of allowed_actions.go, fed by the
// request's loaders, primed here for all candidates at once) hold the
// task's action.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/staffing"
	"github.com/dutychain/dutychain/internal/tasks"
)

func (r *Resolver) myTasks(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int, orderBy *model.TaskOrder, where *model.TaskWhereInput) (*model.TaskConnection, error) {
	args := tasks.PageArgs{First: first, Last: last}
	if after != nil {
		args.After = coverageCursorValue(after)
	}
	if before != nil {
		args.Before = coverageCursorValue(before)
	}
	f := tasks.Filter{}
	if where != nil {
		for _, k := range where.Kinds {
			f.Kinds = append(f.Kinds, tasks.Kind(k))
		}
		f.DueBefore, f.Overdue = where.DueBefore, where.Overdue
	}
	var all []tasks.Task
	if signedIn(ctx) != nil {
		var err error
		if all, err = r.tasksOf(ctx, f); err != nil {
			return nil, err
		}
	}
	o := tasks.Order{}
	if orderBy != nil {
		o.ByKind, o.Desc = orderBy.Field == model.TaskOrderFieldKind, orderBy.Direction == "DESC"
	}
	tasks.Sort(all, o)
	page, err := tasks.Paginate(all, args, o)
	if err != nil {
		return nil, err
	}
	out := &model.TaskConnection{TotalCount: page.Total, Edges: []*model.TaskEdge{},
		PageInfo: &ent.PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage}}
	for _, t := range page.Tasks {
		node, _ := t.Object.(ent.Noder)
		out.Edges = append(out.Edges, &model.TaskEdge{Cursor: *coverageCursor(tasks.CursorOf(t)), Node: &model.Task{
			Kind: model.TaskKind(t.Kind), Action: t.Action, Why: t.Why, DueAt: t.DueAt, Overdue: t.Overdue, Object: node}})
	}
	if n := len(out.Edges); n > 0 {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = &out.Edges[0].Cursor, &out.Edges[n-1].Cursor
	}
	return out, nil
}

// tasksOf decides the caller's tasks among the candidates f wants.
func (r *Resolver) tasksOf(ctx context.Context, f tasks.Filter) ([]tasks.Task, error) {
	now := requestNow(ctx)
	c, err := tasks.LoadCandidates(ctx, r.Client, f, now)
	if err != nil {
		return nil, err
	}
	if err := r.primeTaskLoaders(ctx, c); err != nil {
		return nil, err
	}
	var out []tasks.Task
	keep := func(t tasks.Task) {
		if f.Keep(t) {
			out = append(out, t)
		}
	}
	for _, l := range c.Letters {
		allowed, err := r.letterAllowed(ctx, l)
		if err != nil {
			return nil, err
		}
		if slices.Contains(allowed, domain.LetterSign) {
			var due *time.Time
			if l.IssuedAt != nil {
				d := l.IssuedAt.Add(tasks.LetterSigningTime)
				due = &d
			}
			keep(tasks.New(tasks.LetterToSign, string(domain.LetterSign),
				fmt.Sprintf("%s issued the letter “%s” to %s and it awaits your signature.", l.IssuerName, l.Title, l.SigneeName), due, l, l.ID, now))
		}
	}
	for _, h := range c.Hazards {
		allowed, err := r.hazardAllowed(ctx, h)
		if err != nil {
			return nil, err
		}
		if kind, action, ok := tasks.HazardKind(h, allowed, now); ok {
			due := h.Deadline
			keep(tasks.New(kind, string(action), hazardWhy(kind, h), &due, h, h.ID, now))
		}
		if h.FollowUpOn != nil && h.FollowUpOn.Before(now) && slices.Contains(allowed, domain.HazardFollowUp) {
			due := *h.FollowUpOn
			keep(tasks.New(tasks.FollowUpDue, string(domain.HazardFollowUp),
				fmt.Sprintf("The %s hazard “%s” assigned to your unit was due to be followed up (督查) by %s and is still %s.",
					h.Level, h.Description, due.Format(time.DateOnly), h.State), &due, h, h.ID, now))
		}
	}
	for _, cert := range c.Certificates {
		allowed, err := r.certificateAllowed(ctx, cert)
		if err != nil {
			return nil, err
		}
		if slices.Contains(allowed, domain.CertificateUpdate) {
			due := cert.ValidUntil
			keep(tasks.New(tasks.CertificateExpiring, string(domain.CertificateUpdate),
				fmt.Sprintf("%s's certificate %s expires on %s: record its renewal.", cert.HolderName, cert.Number, due.Format(time.DateOnly)), &due, cert, cert.ID, now))
		}
	}
	for _, d := range c.DutyLists {
		if staffing.Acknowledged(d) {
			continue
		}
		allowed, err := r.dutyListAllowed(ctx, d)
		if err != nil {
			return nil, err
		}
		if slices.Contains(allowed, domain.DutyListAcknowledge) {
			keep(tasks.New(tasks.DutyListToAcknowledge, string(domain.DutyListAcknowledge),
				fmt.Sprintf("Version %d of the duty list of your post, written by %s, awaits your acknowledgement.", d.Version, d.WrittenByName), nil, d, d.ID, now))
		}
	}
	drillDue := map[tasks.DrillKey]bool{} // one DRILL_DUE per enterprise and requirement
	for _, p := range c.Plans {
		allowed, err := r.planAllowed(ctx, p)
		if err != nil {
			return nil, err
		}
		if slices.Contains(allowed, model.EmergencyPlanActionApprove) {
			keep(tasks.New(tasks.PlanToApprove, string(model.EmergencyPlanActionApprove),
				fmt.Sprintf("The emergency plan “%s” (%s) is a draft awaiting approval.", p.Title, p.Version), nil, p, p.ID, now))
		}
		if st := emergency.Status(p, now); (st == domain.PlanStatusReviewDue || st == domain.PlanStatusOverdue) &&
			slices.Contains(allowed, model.EmergencyPlanActionRevise) {
			why := fmt.Sprintf("The emergency plan “%s” (%s) is due for review", p.Title, p.Version)
			if p.ReviewDue != nil {
				why += " by " + p.ReviewDue.Format(time.DateOnly)
			}
			keep(tasks.New(tasks.PlanReviewDue, string(model.EmergencyPlanActionRevise), why+": record its reviewed version.", p.ReviewDue, p, p.ID, now))
		}
		k, ok := tasks.DrillKeyOf(p)
		if !ok || c.Drills == nil || p.State != domain.PlanEffective || c.Drills[k] > 0 || drillDue[k] ||
			!slices.Contains(allowed, model.EmergencyPlanActionRecordDrill) {
			continue
		}
		drillDue[k] = true
		_, end := emergency.DrillPeriod(k.OnSite, now)
		due := end.Add(-time.Second)
		what := "no comprehensive or special drill this year"
		if k.OnSite {
			what = "no on-site drill this half-year"
		}
		keep(tasks.New(tasks.DrillDue, string(model.EmergencyPlanActionRecordDrill),
			fmt.Sprintf("Your enterprise has held %s: hold one, e.g. on the plan “%s” (%s), by %s.", what, p.Title, p.Version, due.Format(time.DateOnly)),
			&due, p, p.ID, now))
	}
	noticeIDs := make([]int, len(c.Receipts))
	for i, rc := range c.Receipts {
		noticeIDs[i] = rc.NoticeID
	}
	// The notices as delivered to their recipients, in one batch.
	delivered, err := loadersFrom(ctx, r.Client).delivered.LoadAll(ctx, noticeIDs)
	if err != nil {
		return nil, err
	}
	for i, rc := range c.Receipts {
		allowed, err := r.receiptAllowed(ctx, rc)
		if err != nil {
			return nil, err
		}
		n := delivered[i]
		if n == nil || !slices.Contains(allowed, model.NoticeReceiptActionReceive) {
			continue
		}
		due := rc.DueAt
		keep(tasks.New(tasks.NoticeToReceive, string(model.NoticeReceiptActionReceive),
			fmt.Sprintf("The notice “%s” (%s) sent to %s awaits your signature for receipt (签收).", n.Title, n.DocumentNumber, rc.RecipientName),
			&due, rc, rc.ID, now))
	}
	return out, nil
}

// hazardWhy says why hazard h is a task of kind k.
func hazardWhy(k tasks.Kind, h *ent.Hazard) string {
	switch k {
	case tasks.HazardToDecide:
		return fmt.Sprintf("The %s hazard “%s” (%s) awaits your decision.", h.Level, h.Description, h.State)
	case tasks.HazardToRectify:
		return fmt.Sprintf("The %s hazard “%s” (%s) awaits the enterprise's next rectification step.", h.Level, h.Description, h.State)
	}
	return fmt.Sprintf("The %s hazard “%s” passed its deadline of %s without closing: put it under supervision.", h.Level, h.Description, h.Deadline.Format(time.DateOnly))
}

// primeTaskLoaders loads what the decisions on the candidates need beyond
// the supervisions: one statement each for the letters' signatures, the
// duty lists' posts and the plans' units.
func (r *Resolver) primeTaskLoaders(ctx context.Context, c *tasks.Candidates) error {
	ld := loadersFrom(ctx, r.Client)
	letterIDs := make([]int, len(c.Letters))
	for i, l := range c.Letters {
		letterIDs[i] = l.ID
	}
	if err := ld.signatures.prime(ctx, letterIDs); err != nil {
		return err
	}
	var postIDs, unitIDs []int
	for _, d := range c.DutyLists {
		postIDs = append(postIDs, d.PostID)
	}
	for _, p := range c.Plans {
		unitIDs = append(unitIDs, p.UnitID)
	}
	for _, rc := range c.Receipts {
		unitIDs = append(unitIDs, rc.RecipientUnitID)
	}
	if err := ld.primePosts(ctx, r.Client, postIDs); err != nil {
		return err
	}
	return ld.primeUnits(ctx, unitIDs)
}
