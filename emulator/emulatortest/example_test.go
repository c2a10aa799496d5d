package emulatortest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// applicationIDs is what a test does with an emulator: it starts one (it
// closes when the test ends) and calls the API with a token it issued.
func applicationIDs(t testing.TB) []string {
	emu := emulatortest.StartTest(t, emulator.Options{ArtifactSize: 1024})
	access, _, err := emu.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", emu.URL()+"/api/v1/applications", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var apps []struct {
		ID string `json:"application_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&apps); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range apps {
		ids = append(ids, a.ID)
	}
	return ids
}

// exampleT stands in for the *testing.T a test passes: it runs the
// cleanups when the example ends.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

func Example() {
	t := &exampleT{} // in a test: its t
	defer t.done()
	fmt.Println(applicationIDs(t))
	// Output: [he-tme test-app]
}
