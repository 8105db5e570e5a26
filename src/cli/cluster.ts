// The --cluster.* flags and the cluster factory come from the clustering package.
export { clusterFlagDefs, clusterFactory } from '../clustering/cli.js';
