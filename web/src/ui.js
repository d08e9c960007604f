// ChatUI components by their ES module paths: importing the package root pulls
// in every component (and its UMD build via the "browser" field).
export { Bubble } from "@chatui/core/es/components/Bubble";
export { Button } from "@chatui/core/es/components/Button";
export { Card, CardTitle, CardContent, CardActions } from "@chatui/core/es/components/Card";
export { List, ListItem } from "@chatui/core/es/components/List";
export { QuickReplies } from "@chatui/core/es/components/QuickReplies";
export { Typing } from "@chatui/core/es/components/Typing";
