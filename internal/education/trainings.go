package education

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/trainee"
	"github.com/dutychain/dutychain/ent/training"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// TraineeInput is one person trained.
type TraineeInput struct {
	PersonName       string
	EnterpriseUnitID int
	PostKind         domain.TraineePostKind
	UserID           *int
	// Assessment defaults to NOT_ASSESSED.
	Assessment domain.Assessment
}

// TrainingInput is a training to record, or the new facts of one.
type TrainingInput struct {
	OrganiserUnitID int // ignored by UpdateTraining
	HeldOn          time.Time
	Topic           string
	Hours           int
	Content         string
	Assessed        bool
	Trainees        []TraineeInput
}

func (in *TrainingInput) validate() error {
	var p kernel.Problems
	trim(&p, "topic", &in.Topic, MaxTopic, true)
	trim(&p, "content", &in.Content, MaxText, false)
	checkDay(&p, "heldOn", in.HeldOn)
	p.Check(in.Hours < 1 || in.Hours > MaxHours, "hours", "must be between 1 and %d", MaxHours)
	p.Check(len(in.Trainees) == 0 || len(in.Trainees) > MaxTrainees, "trainees", "between 1 and %d trainees", MaxTrainees)
	seen := map[[2]string]bool{}
	for i := range in.Trainees {
		t := &in.Trainees[i]
		trim(&p, "trainees", &t.PersonName, MaxName, true)
		key := [2]string{t.PersonName, fmt.Sprint(t.EnterpriseUnitID)}
		p.Check(seen[key], "trainees", "%s of the same enterprise is named twice", t.PersonName)
		seen[key] = true
		if t.Assessment == "" {
			t.Assessment = domain.AssessmentNotAssessed
		}
		if in.Assessed {
			p.Check(t.Assessment == domain.AssessmentNotAssessed, "trainees",
				"the training was assessed: %s PASSED or FAILED", t.PersonName)
		} else {
			p.Check(t.Assessment != domain.AssessmentNotAssessed, "trainees",
				"the training was not assessed: %s has no result", t.PersonName)
		}
	}
	return p.Err()
}

// RecordTraining records a training organised by a unit where the caller
// holds a post that may, with its trainees (each of an enterprise in the
// organiser's territory), in one transaction.
func (s *Service) RecordTraining(ctx context.Context, in TrainingInput) (*ent.Training, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Training, error) {
		u, err := kernel.Unit(ctx, c, in.OrganiserUnitID, "organiserUnitID")
		if err != nil {
			return nil, err
		}
		if _, err := act(ctx, c, "training", "create", u, true, "organiserUnitID"); err != nil {
			return nil, err
		}
		if err := checkTrainees(ctx, c, u, in.Trainees); err != nil {
			return nil, err
		}
		t, err := c.Training.Create().SetTenantID(u.TenantID).SetOrganiserUnitID(u.ID).SetHeldOn(in.HeldOn).
			SetYear(in.HeldOn.UTC().Year()).SetTopic(in.Topic).SetHours(in.Hours).SetContent(in.Content).
			SetAssessed(in.Assessed).SetTraineeCount(len(in.Trainees)).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := WriteTrainees(ctx, c, t, in.Trainees); err != nil {
			return nil, err
		}
		return c.Training.Get(ctx, t.ID)
	})
}

// UpdateTraining corrects a training, by a post at its organiser that may
// and a caller who reads every trainee it has: its facts are replaced and
// so are its trainees. The training's row is locked first (holdTraining),
// so of two concurrent updates the second replaces what the first wrote:
// the last writer wins wholly and the trainees always match the count.
func (s *Service) UpdateTraining(ctx context.Context, id int, in TrainingInput) (*ent.Training, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Training, error) {
		t, u, _, err := s.holdTraining(ctx, c, id, "update")
		if err != nil {
			return nil, err
		}
		if err := checkTrainees(ctx, c, u, in.Trainees); err != nil {
			return nil, err
		}
		if _, err := c.Trainee.Delete().Where(trainee.TrainingID(t.ID)).Exec(authz.SystemContext(ctx)); err != nil {
			return nil, fmt.Errorf("clear trainees: %w", err)
		}
		t, err = c.Training.UpdateOne(t).SetHeldOn(in.HeldOn).SetYear(in.HeldOn.UTC().Year()).SetTopic(in.Topic).
			SetHours(in.Hours).SetContent(in.Content).SetAssessed(in.Assessed).SetTraineeCount(len(in.Trainees)).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := WriteTrainees(authz.WithAction(ctx, "update"), c, t, in.Trainees); err != nil {
			return nil, err
		}
		return c.Training.Get(ctx, t.ID)
	})
}

// DeleteTraining deletes a training recorded in error, with its trainees
// and file rows, by a post at its organiser that may and a caller who reads
// every trainee it has.
func (s *Service) DeleteTraining(ctx context.Context, id int) error {
	return kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		c := tx.Client()
		t, _, _, err := s.holdTraining(ctx, c, id, "delete")
		if err != nil {
			return err
		}
		sys := authz.SystemContext(ctx)
		if _, err := c.Trainee.Delete().Where(trainee.TrainingID(t.ID)).Exec(sys); err != nil {
			return fmt.Errorf("delete trainees: %w", err)
		}
		if err := files.Remove(ctx, c, t.ID); err != nil {
			return err
		}
		n, err := c.Training.Delete().Where(training.ID(t.ID)).Exec(sys)
		if err != nil {
			return fmt.Errorf("delete training: %w", err)
		}
		if n == 0 {
			return kernel.NotFound(&ent.NotFoundError{}, "training", "trainingID")
		}
		return nil
	})
}

// AttachToTraining stores an uploaded file (a sign-in sheet) and attaches
// it to a training, by a post at its organiser that may and a caller who
// reads every trainee it has.
func (s *Service) AttachToTraining(ctx context.Context, id int, up files.Upload, description string) (*ent.File, error) {
	var p kernel.Problems
	trim(&p, "description", &description, MaxText, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	up.Description = description
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		t, _, by, err := s.holdTraining(ctx, c, id, "attach")
		if err != nil {
			return nil, err
		}
		fs, err := s.Files.Attach(ctx, c, files.Owner{ID: t.ID, Tenant: t.TenantID, Path: t.ScopePath,
			Sector: t.ScopeSector, EnterpriseID: t.ScopeEnterpriseID, IssuerPath: t.IssuerScopePath}, by, up)
		if err != nil {
			return nil, err
		}
		return c.File.Get(ctx, fs[0].ID)
	})
}

// MayChangeTraining decides action ("update", "delete", "attach") on
// training t organised by u, as its mutation decides it; the training's
// allowedActions ask it. readTrainees is how many of its trainees the
// caller reads.
func MayChangeTraining(ctx context.Context, t *ent.Training, o authz.Object, u authz.Place, unitName, action string, readTrainees int) error {
	_, err := mayChangeTraining(ctx, t, o, u, unitName, action, readTrainees, t.TraineeCount)
	return err
}

// mayChangeTraining is MayChangeTraining, returning the posts at the
// organiser that may act: a post there whose policy allows the action
// (authz.ActFor), and a caller who reads every trainee of the training
// (authz.SeesAll) — the trainees are the enterprise side the act reaches,
// so the FUEL deputy of a department does not change or delete its
// department's training of industrial staff.
func mayChangeTraining(ctx context.Context, t *ent.Training, o authz.Object, u authz.Place, unitName, action string, readTrainees, trainees int) ([]authz.Grant, error) {
	o.IssuerPath = t.ScopePath
	grants, err := authz.ActFor(ctx, o, action, u, unitName, false, "trainingID")
	if err != nil {
		return nil, err
	}
	if err := authz.SeesAll(ctx, readTrainees, trainees, "this training has trainees"); err != nil {
		return nil, err
	}
	return grants, nil
}

// holdTraining loads training id through the caller's scope, locking its
// row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite
// serialises writers), with its organiser, and decides action on it from
// the locked row (mayChangeTraining, counting the trainees the caller
// reads). It returns who acts, for the files attached.
func (s *Service) holdTraining(ctx context.Context, c *ent.Client, id int, action string) (*ent.Training, *ent.Unit, files.Uploader, error) {
	t, err := kernel.Hold(ctx, s.Dialect, c.Training.Query().Where(training.ID(id)), "training", "trainingID")
	if err != nil {
		return nil, nil, files.Uploader{}, err
	}
	u, o, err := organiserObject(ctx, c, "training", t.OrganiserUnitID)
	if err != nil {
		return nil, nil, files.Uploader{}, err
	}
	// The trainees the caller reads, against those there are: the
	// training's count, or its rows if ever more.
	read, err := c.Trainee.Query().Where(trainee.TrainingID(t.ID)).Count(ctx)
	if err != nil {
		return nil, nil, files.Uploader{}, fmt.Errorf("count trainees: %w", err)
	}
	all, err := c.Trainee.Query().Where(trainee.TrainingID(t.ID)).Count(authz.SystemContext(ctx))
	if err != nil {
		return nil, nil, files.Uploader{}, fmt.Errorf("count trainees: %w", err)
	}
	grants, err := mayChangeTraining(ctx, t, o, authz.PlaceOf(u), u.Name, action, read, max(all, t.TraineeCount))
	if err != nil {
		return nil, nil, files.Uploader{}, err
	}
	by, err := uploaderOf(ctx, c, grants)
	return t, u, by, err
}

// checkTrainees checks that every trainee's enterprise lies in the
// organiser's territory and is read by the caller, and that every user
// named is read by the caller.
func checkTrainees(ctx context.Context, c *ent.Client, organiser *ent.Unit, trainees []TraineeInput) error {
	ids := make([]int, len(trainees))
	var users []int
	for i, t := range trainees {
		ids[i] = t.EnterpriseUnitID
		if t.UserID != nil {
			users = append(users, *t.UserID)
		}
	}
	if _, err := enterprisesOf(ctx, c, organiser, ids, "trainees"); err != nil {
		return err
	}
	if len(users) == 0 {
		return nil
	}
	users = slices.Compact(slices.Sorted(slices.Values(users)))
	n, err := c.User.Query().Where(user.IDIn(users...)).Count(ctx)
	if err != nil {
		return fmt.Errorf("load trainee users: %w", err)
	}
	if n != len(users) {
		return kernel.NotFound(&ent.NotFoundError{}, "user", "trainees")
	}
	return nil
}

// WriteTrainees writes the trainees of training t through the scope hooks
// (the seed writes them as the system), each with the training's year,
// month and hours for the coverage.
func WriteTrainees(ctx context.Context, c *ent.Client, t *ent.Training, trainees []TraineeInput) error {
	held := t.HeldOn.UTC()
	creates := make([]*ent.TraineeCreate, len(trainees))
	for i, in := range trainees {
		a := in.Assessment
		if a == "" {
			a = domain.AssessmentNotAssessed
		}
		creates[i] = c.Trainee.Create().SetTenantID(t.TenantID).SetTrainingID(t.ID).SetOrganiserUnitID(t.OrganiserUnitID).
			SetEnterpriseUnitID(in.EnterpriseUnitID).SetPersonName(in.PersonName).SetPostKind(in.PostKind).
			SetNillableUserID(in.UserID).SetAssessment(a).SetYear(held.Year()).SetMonth(int(held.Month())).SetHours(t.Hours)
	}
	if err := c.Trainee.CreateBulk(creates...).Exec(ctx); err != nil {
		return fmt.Errorf("write trainees: %w", err)
	}
	return nil
}
