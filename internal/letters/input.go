package letters

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
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

// text is a letter's cleaned title, body and targets.
type text struct {
	title, body string
	targets     []domain.LetterTarget
}

// cleanText checks and trims what a client writes into a letter.
func cleanText(title string, body *string, targets []Target) (text, error) {
	var t text
	var err error
	if t.title, err = cleanTitle(title); err != nil {
		return t, err
	}
	if t.body, err = cleanBody(body); err != nil {
		return t, err
	}
	t.targets, err = cleanTargets(targets)
	return t, err
}
