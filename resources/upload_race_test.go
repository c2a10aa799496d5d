package resources_test

import (
	"sync"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/resources"
)

// TestUploadProgressReadsResult: a Progress callback may read the result
// of any event while parts of the same file are under way (run with -race).
func TestUploadProgressReadsResult(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	f := []resources.UploadFile{{Path: e.file(t, "big.tiff", 40*testPart+5)}}
	o := e.opts()
	o.Parallel = 4
	var mu sync.Mutex
	var last resources.UploadResult
	o.Progress = func(ev resources.UploadEvent) {
		if ev.Result != nil {
			mu.Lock()
			last = *ev.Result
			mu.Unlock()
		}
	}
	if _, errs := upload(t, e.bucket, f, o); len(errs) > 0 {
		t.Fatal(errs)
	}
	if last.Status != resources.UploadUploaded {
		t.Errorf("last event: %+v", last)
	}
}
