/* The static /bin/true figure 9's bwrap peer launches (linked -static: no
 * loader, no library), so the peer's time is bwrap's own. */
int main(void)
{
	return 0;
}
