package letters

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

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
	var p kernel.Problems
	out := make([]domain.LetterTarget, 0, len(in))
	for i, t := range in {
		d := strings.TrimSpace(t.Description)
		field := fmt.Sprintf("targets[%d]", i)
		if !p.Check(d == "", field+".description", "every target needs a description") && utf8.RuneCountInString(d) > MaxTarget {
			p.Add(tooLong(field+".description", MaxTarget))
		}
		lt := domain.LetterTarget{Description: d}
		if t.Indicator != nil {
			ind := strings.TrimSpace(*t.Indicator)
			if utf8.RuneCountInString(ind) > MaxIndicator {
				p.Add(tooLong(field+".indicator", MaxIndicator))
			}
			if ind != "" {
				lt.Indicator = &ind
			}
		}
		out = append(out, lt)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// text is a letter's cleaned title, body and targets.
type text struct {
	title, body string
	targets     []domain.LetterTarget
}

// cleanText checks and trims what a client writes into a letter.
func cleanText(title string, body *string, targets []Target) (text, error) {
	var t text
	var p kernel.Problems
	var err error
	t.title, err = cleanTitle(title)
	p.Add(err)
	t.body, err = cleanBody(body)
	p.Add(err)
	t.targets, err = cleanTargets(targets)
	p.Add(err)
	return t, p.Err()
}
