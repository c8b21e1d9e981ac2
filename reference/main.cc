// Placeholder entry until the reference platform lands.
int main() { return 2; }
