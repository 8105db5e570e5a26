// Types of layout.js (a browser module without a build step) for the node tests.
export interface GraphInput {
  id: string;
  references?: string[];
}
export interface PlacedNode {
  id: string;
  layer: number;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface PlacedEdge {
  from: string;
  to: string;
  /** SVG path data. */
  d: string;
  /** Where an edge that skips layers crosses each layer between its ends. */
  waypoints: { layer: number; x1: number; x2: number; y: number }[];
}
export const BOX_H: number;
export const LANE_H: number;
export const GAP_X: number;
export const GAP_Y: number;
export const PAD: number;
export function layers(nodes: GraphInput[]): Map<string, number>;
export function layoutGraph(nodes: GraphInput[]): { width: number; height: number; nodes: PlacedNode[]; edges: PlacedEdge[] };
