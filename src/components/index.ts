// Importing this module registers every built-in component kind.
// Each component module calls registerComponent() at import time; add one line per component.
import './local/file.js';
import './loki/write.js';
import './loki/process.js';
import './discovery/relabel.js';
import './discovery/kubernetes.js';
import './discovery/annotations.js';
import './prometheus/remote_write.js';
import './prometheus/scrape.js';
import './prometheus/relabel.js';
import './loki/source/kubernetes.js';
import './discovery/kubelet.js';
import './prometheus/operator/servicemonitors.js';
import './prometheus/operator/podmonitors.js';
import './mimir/rules/kubernetes.js';
import './loki/rules/kubernetes.js';
import './import/string.js';
import './import/file.js';
import './import/http.js';
import './import/git.js';
