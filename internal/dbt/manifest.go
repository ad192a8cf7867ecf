package dbt

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
)

// MinManifestVersion is the oldest manifest schema htgit reads (dbt 1.3).
// Older ones are read the same way, but their layout was not checked.
const MinManifestVersion = 7

// Manifest is what htgit needs of a compiled dbt manifest.
type Manifest struct {
	Path    string
	Version int // the schema version (12 for .../manifest/v12.json); 0 when it says none
	// Models are the enabled model nodes: unique_id -> original_file_path.
	Models map[string]string
	// Disabled are the model ids dbt lists as disabled.
	Disabled map[string]bool
}

// ErrOldManifest is returned (wrapped) for a manifest older than
// MinManifestVersion.
var ErrOldManifest = errors.New("manifest schema older than v7")

var versionURL = regexp.MustCompile(`/manifest/v(\d+)\.json$`)

// ReadManifest reads a manifest.json as a stream: big projects' manifests
// run to hundreds of MB, mostly compiled SQL, macros and docs, so it holds
// one node (or one macro, one doc) at a time, never the file.
func ReadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := &Manifest{Path: path, Models: map[string]string{}, Disabled: map[string]bool{}}
	if err := m.read(bufio.NewReaderSize(f, 1<<16)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// node is what htgit reads of a manifest node; the decoder skips the rest.
type node struct {
	ResourceType     string `json:"resource_type"`
	OriginalFilePath string `json:"original_file_path"`
	Config           struct {
		Enabled *bool `json:"enabled"`
	} `json:"config"`
}

func (m *Manifest) read(r io.Reader) error {
	dec := json.NewDecoder(r)
	if err := expect(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return notJSON(err)
		}
		switch key {
		case "metadata":
			var md struct {
				SchemaVersion string `json:"dbt_schema_version"`
			}
			if err := dec.Decode(&md); err != nil {
				return notJSON(err)
			}
			if v := versionURL.FindStringSubmatch(md.SchemaVersion); v != nil {
				m.Version, _ = strconv.Atoi(v[1])
			}
			if m.Version > 0 && m.Version < MinManifestVersion {
				return fmt.Errorf("%w: it is v%d (%s)", ErrOldManifest, m.Version, md.SchemaVersion)
			}
		case "nodes":
			err = entries(dec, func(id string) error {
				var n node
				if err := dec.Decode(&n); err != nil {
					return err
				}
				if n.ResourceType == "model" {
					if n.Config.Enabled != nil && !*n.Config.Enabled {
						m.Disabled[id] = true
					} else {
						m.Models[id] = n.OriginalFilePath
					}
				}
				return nil
			})
		case "disabled":
			// unique_id -> the disabled definitions of that id; null when
			// there are none.
			err = entries(dec, func(id string) error {
				var defs []node
				if err := dec.Decode(&defs); err != nil {
					return err
				}
				for _, n := range defs {
					if n.ResourceType == "model" {
						m.Disabled[id] = true
					}
				}
				return nil
			})
		default:
			err = skip(dec)
		}
		if err != nil {
			return notJSON(err)
		}
	}
	// More is false at the end of the input too: only the closing brace
	// makes the manifest whole.
	if _, err := dec.Token(); err != nil {
		return notJSON(err)
	}
	return nil
}

// entries calls each with every key of the object that comes next (a null
// has none); each must consume the key's value.
func entries(dec *json.Decoder, each func(key string) error) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("expected an object, found %v", tok)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if err := each(key.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token() // }
	return err
}

// skipped takes any JSON value without keeping it.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// skip consumes the next value one element at a time, so skipping
// `macros` holds one macro, not all of them.
func skip(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: consumed
	}
	for dec.More() {
		if d == '{' {
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		if err := dec.Decode(&skipped{}); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func expect(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return notJSON(err)
	}
	if tok != d {
		return fmt.Errorf("not a dbt manifest: expected %v, found %v", d, tok)
	}
	return nil
}

func notJSON(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("not a complete JSON document: the file ends early")
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, syn)
	}
	return err
}
