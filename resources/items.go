package resources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxItemsFileSize bounds an items file read by ParseItems.
const MaxItemsFileSize = 256 << 20

// ParseItems reads run items as a JSON array of ItemCreationRequest objects
// or as JSON Lines (one object per line; blank lines skipped; an object may
// also span lines). Unknown fields are ignored; numbers are kept exactly
// (json.Number). Errors name the line and, where known, the item index.
func ParseItems(r io.Reader) ([]ItemCreationRequest, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxItemsFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	if len(data) > MaxItemsFileSize {
		return nil, fmt.Errorf("read items: larger than %d bytes", MaxItemsFileSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	p := itemParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	start := p.skipSpace(0)
	if start == len(data) {
		return nil, errors.New("parse items: no items (empty input)")
	}
	if data[start] == '[' {
		return p.array()
	}
	return p.lines()
}

type itemParser struct {
	data []byte
	dec  *json.Decoder
}

func (p *itemParser) skipSpace(off int) int {
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func (p *itemParser) line(off int64) int {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	return bytes.Count(p.data[:off], []byte("\n")) + 1
}

// errAt turns a decode error into "line N: ..." using the error's own
// offset when it has one.
func (p *itemParser) errAt(start int64, index int, err error) error {
	off := start
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(p.data))
	}
	return fmt.Errorf("parse items: line %d (item %d): %w", p.line(off), index, err)
}

func (p *itemParser) array() ([]ItemCreationRequest, error) {
	if _, err := p.dec.Token(); err != nil {
		return nil, p.errAt(0, 0, err)
	}
	var items []ItemCreationRequest
	for i := 0; p.dec.More(); i++ {
		start := int64(p.skipSpace(int(p.dec.InputOffset())))
		it, err := p.one(start, i)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, p.errAt(p.dec.InputOffset(), len(items), err)
	}
	if _, err := p.dec.Token(); err != io.EOF {
		off := int64(p.skipSpace(int(p.dec.InputOffset())))
		return nil, fmt.Errorf("parse items: line %d: unexpected data after the array", p.line(off))
	}
	return items, nil
}

func (p *itemParser) lines() ([]ItemCreationRequest, error) {
	var items []ItemCreationRequest
	for i := 0; ; i++ {
		start := int64(p.skipSpace(int(p.dec.InputOffset())))
		if start == int64(len(p.data)) {
			return items, nil
		}
		it, err := p.one(start, i)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
}

// one decodes the next value, which must be a JSON object, into an item.
func (p *itemParser) one(start int64, index int) (ItemCreationRequest, error) {
	var raw json.RawMessage
	var it ItemCreationRequest
	if err := p.dec.Decode(&raw); err != nil {
		return it, p.errAt(start, index, err)
	}
	if len(raw) == 0 || raw[0] != '{' {
		return it, fmt.Errorf("parse items: line %d (item %d): an item must be a JSON object", p.line(start), index)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&it); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return it, fmt.Errorf("parse items: line %d (item %d): field %q: expected %s, got JSON %s",
				p.line(start+te.Offset), index, te.Field, te.Type, te.Value)
		}
		return it, p.errAt(start, index, err)
	}
	return it, nil
}
