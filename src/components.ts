// Importing this module registers every built-in component kind.
// Each component module calls registerComponent() at import time; add one line per component.
import './local/file.js';
import './logs/loki-write.js';
import './logs/loki-process.js';
import './discovery/relabel_component.js';
import './discovery/kubernetes/component.js';
import './discovery/annotations/component.js';
import './remotewrite/remote-write.js';
import './scrape/prometheus_scrape.js';
import './scrape/prometheus_relabel.js';
import './logs/loki-source-kubernetes.js';
import './kubelet/component.js';
import './crd/servicemonitors.js';
import './crd/podmonitors.js';
import './crd/mimir-rules.js';
import './crd/loki-rules.js';
