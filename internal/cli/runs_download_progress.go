package cli

import (
	"context"
	"fmt"

	"github.com/aignostics/aignostics/resources"
)

// downloadProgress renders download events: a live status line on a terminal
// (stderr: files done of total, bytes, rate, time left, and with --wait the
// items still processing), one JSON line per finished file with -o jsonl,
// and notes about failed files in text. Events arrive serialised
// (DownloadOptions.Progress).
type downloadProgress struct {
	ctx     context.Context // once cancelled, failures are the interruption: not listed
	out     *Output
	line    *liveLine
	wait    bool
	t       transfer
	active  int
	started int   // files whose size is known from their start
	sizes   int64 // their sizes
	pending int   // items not finished, last reported
}

func newDownloadProgress(ctx context.Context, f *Factory, out *Output, wait bool) *downloadProgress {
	return &downloadProgress{ctx: ctx, out: out, line: newLiveLine(f), wait: wait, pending: -1,
		t: transfer{verb: "downloading", unit: "files", start: f.Clock.Now()}}
}

func (p *downloadProgress) event(ev resources.DownloadEvent) {
	force := false
	switch ev.Type {
	case resources.EventQueued:
		p.t.total += ev.Queued
	case resources.EventStart:
		p.active++
		if ev.File.Size > 0 {
			p.started++
			p.sizes += ev.File.Size
		}
	case resources.EventBytes:
		p.t.bytes += ev.Bytes
	case resources.EventFile:
		if ev.File.Status != resources.FileSkipped && ev.File.Status != resources.FileDeleted && ev.File.Size >= 0 {
			p.active = max(0, p.active-1)
		}
		p.t.done++
		p.fileDone(ev.File)
		force = true
	case resources.EventPending:
		force = p.waiting(len(ev.Pending))
	}
	p.t.bytesTotal = 0
	if p.started > 0 {
		// Files not started yet are guessed at the mean size of those started.
		unstarted := max(p.t.total-p.t.done-p.active, 0)
		p.t.bytesTotal = p.sizes + int64(unstarted)*(p.sizes/int64(p.started))
	}
	p.line.Show(force, p.t.lines(p.line.clock.Now())...)
}

// waiting says, with --wait, how many items the download is waiting for:
// in the live line on a terminal, else as a note when the number changes.
func (p *downloadProgress) waiting(n int) bool {
	if !p.wait || n == p.pending {
		return false
	}
	p.pending = n
	p.t.note = fmt.Sprintf("waiting for %d item(s) to finish", n)
	if !p.line.active() {
		p.out.Notef("waiting for %d item(s) to finish (--wait); files are downloaded as items finish", n)
	}
	return true
}

// fileDone reports one finished file.
func (p *downloadProgress) fileDone(f *resources.DownloadedFile) {
	if f.Status == resources.FileFailed || f.Status == resources.FileDeleted {
		p.t.failed++
	}
	if p.out.Format() == FormatJSONL {
		p.line.Around(func() { _ = p.out.Object(f, nil) })
		return
	}
	if (f.Status == resources.FileFailed || f.Status == resources.FileDeleted) && p.ctx.Err() == nil {
		msg := f.Error
		if h := hint(f.Err()); h != "" {
			msg += " (" + h + ")"
		}
		p.line.Around(func() { p.out.Notef("%s: %s: %s", f.Status, f.Path, msg) })
	}
}

// finish draws the final state and ends the line.
func (p *downloadProgress) finish() {
	p.t.note = ""
	p.line.Show(true, p.t.lines(p.line.clock.Now())...)
	p.line.Keep()
}
