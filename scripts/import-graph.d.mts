export interface FileEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}
export function fileEdges(): FileEdge[];
export function folderEdges(edges?: FileEdge[]): { edge: string; count: number }[];
